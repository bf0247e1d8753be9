# Regenerates schemas/rest/callout.yaml from the two JSON Schemas in schemas/callout/
# (TestCalloutComponentsMatchJSONSchemas in schemas/rest keeps them in sync).
# Run from the repository root: python3 schemas/callout/gen-callout-openapi.py (needs PyYAML).
import json, yaml

def conv(node, root_name):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == '$ref':
                if v == '#':
                    v = '#/components/schemas/' + root_name
                elif v.startswith('#/$defs/'):
                    v = '#/components/schemas/' + v[len('#/$defs/'):]
                else:
                    raise SystemExit('unexpected ref ' + v)
            out[k] = conv(v, root_name) if k != '$ref' else v
        return out
    if isinstance(node, list):
        return [conv(x, root_name) for x in node]
    return node

schemas = {}
for f in ['capability-request', 'capability-response']:
    s = json.load(open('schemas/callout/%s.schema.json' % f))
    name = s['title']
    defs = s.pop('$defs')
    for k in ('$schema', '$id'):
        s.pop(k)
    schemas[name] = conv(s, name)
    for k, v in defs.items():
        c = conv(v, name)
        if k in schemas and schemas[k] != c:
            raise SystemExit('conflicting definition ' + k)
        schemas[k] = c

def op(trigger, opid, summary, resp):
    return {'post': {
        'operationId': opid,
        'summary': summary,
        'description': 'FNO POSTs this to <Capability Request Callout URL>/' + trigger + ' when the trigger point is enabled (seed 001 lines 5587-5600, 5720-5732).',
        'requestBody': {'required': True, 'content': {'application/json': {'schema': {'$ref': '#/components/schemas/CapabilityRequest'}}}},
        'responses': {'200': {
            'description': 'The actions to apply. Actions outside this trigger point are findings (Table 5-2).',
            'content': {'application/json': {'schema': {'$ref': '#/components/schemas/' + resp}}}}},
        'x-fnokit-inference': 'CO-25: Only 200 with a JSON body is documented; how FNO treats another status, a timeout or a non-JSON body is not (the emulator makes it configurable). The body is sent as application/json, as the sample servlet parses it with Jackson (seed 001 lines 5628-5629).',
    }}

doc = {
    'openapi': '3.1.0',
    'info': {
        'title': 'FlexNet Operations capability request callout (fnokit contract)',
        'version': '2024.05',
        'description': 'The REST service a producer implements and FlexNet Operations calls during capability request handling (FNO Web Services Integration Guide, chapter 5, Capability Request Callout). The component schemas are a translation of schemas/callout/capability-request.schema.json and capability-response.schema.json ($defs become components; a test keeps them identical): kin-openapi may only follow references to files beside this document, so the JSON Schemas cannot be referenced from here. Routes are the trigger-point suffixes alone: route a call with its path relative to the configured callout URL.',
    },
    'jsonSchemaDialect': 'https://json-schema.org/draft/2020-12/schema',
    'servers': [{'url': '/', 'description': 'The configured Capability Request Callout URL (System > Configure > Embedded Devices > Capability Request Handling); the trigger point is appended to it.'}],
    'paths': {
        '/finalizeHost': op('finalizeHost', 'finalizeHost', 'Finalize host: just before an unknown host is created.', 'FinalizeHostResponse'),
        '/checkAccess': op('checkAccess', 'checkAccess', 'Check access: before an offline request is processed.', 'CheckAccessResponse'),
        '/finalizeResponse': op('finalizeResponse', 'finalizeResponse', 'Finalize response: after the host request is validated, before the capability response is generated.', 'FinalizeResponseResponse'),
    },
    'components': {'schemas': schemas},
}

class D(yaml.SafeDumper):
    pass
def str_rep(d, s):
    return d.represent_scalar('tag:yaml.org,2002:str', s)
D.add_representer(str, str_rep)
header = ('# fnokit contract: the capability request callout (POST /finalizeHost, /checkAccess,\n'
          '# /finalizeResponse), written by the fnokit project from the FNO Web Services\n'
          '# Integration Guide, chapter 5. GENERATED from schemas/callout/*.schema.json by the\n'
          '# schemas/callout/gen-callout-openapi.py: edit the JSON\n'
          '# Schemas, regenerate, and let TestCalloutComponentsMatchJSONSchemas confirm.\n')
open('schemas/rest/callout.yaml', 'w').write(header + yaml.dump(doc, Dumper=D, sort_keys=False, width=100, allow_unicode=True))
