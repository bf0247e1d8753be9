package soap

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// FlexnetAuthentication, base–v1 (seed 001 table 2-1 "FlexNet
// Authentication"; v1 removed the deprecated getUserToken, table 2-2).
// FlexnetAuthentication's answers have no statusInfo: authenticateUser
// answers Success, validateToken a statusCode.

const fa = "FlexnetAuthentication"

// tokenValid is validateToken's statusCode of a good token. The schema
// leaves statusCode free text; SUCCESS is what the emulator answers and
// what the vendor's examples show for a valid token.
const tokenValid = "SUCCESS"

func validate(v, token, userID string) string {
	GinkgoHelper()
	req := map[string]any{"token": token}
	if userID != "" {
		req["identity"] = map[string]any{"userId": userID}
	}
	r := suite.E().SOAP(fa, v, "validateToken", req)
	r.ExpectValid()
	return str(r.Payload, "statusCode")
}

// tamper changes the token's last character.
func tamper(token string) string {
	if token == "" {
		return "x"
	}
	last := token[len(token)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return token[:len(token)-1] + string(repl)
}

var _ = Describe("FlexnetAuthentication", func() {
	authSpecs(fa, "getSecureToken", func(string) map[string]any { return map[string]any{"userId": "fnokit"} })

	DescribeTable("authenticateUser: Success true for the right password, false for a wrong one (as recorded)",
		func(v string) {
			user, password := login()
			r := suite.E().SOAP(fa, v, "authenticateUser", map[string]any{"userName": user, "password": password, "domainName": "FLEXnet"})
			r.ExpectValid()
			Expect(str(r.Payload, "Success")).To(Equal("true"), "the right password authenticates")
			r = suite.E().SOAP(fa, v, "authenticateUser", map[string]any{"userName": user, "password": "not-the-password", "domainName": "FLEXnet"})
			r.ExpectValid()
			Expect(str(r.Payload, "Success")).To(Equal("false"), "a wrong password does not")
			r.ExpectGolden("wrong-password")
		},
		spec{service: fa, op: "authenticateUser", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getSecureToken issues a token validateToken accepts for its user only",
		func(v string) {
			user := suite.E().Name("sso-user")
			r := suite.E().SOAP(fa, v, "getSecureToken", map[string]any{"userId": user})
			r.ExpectValid()
			token := str(r.Payload, "token")
			Expect(token).NotTo(BeEmpty(), "getSecureToken answers a token")
			Expect(validate(v, token, "")).To(Equal(tokenValid), "the token is valid")
			Expect(validate(v, token, user)).To(Equal(tokenValid), "for the user it was issued for")
			Expect(validate(v, token, user+"-other")).NotTo(Equal(tokenValid), "not for another user")
		},
		spec{service: fa, op: "getSecureToken", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("validateToken refuses an altered token and one never issued",
		func(v string) {
			r := suite.E().SOAP(fa, v, "getSecureToken", map[string]any{"userId": suite.E().Name("sso-user")})
			r.ExpectValid()
			token := str(r.Payload, "token")
			Expect(validate(v, tamper(token), "")).NotTo(Equal(tokenValid), "an altered token is not valid")
			Expect(validate(v, "fnokit-not-a-token", "")).NotTo(Equal(tokenValid), "a made-up token is not valid")
		},
		spec{service: fa, op: "validateToken", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getUserToken (base only) issues a token validateToken accepts",
		func(v string) {
			r := suite.E().SOAP(fa, v, "getUserToken", map[string]any{"#text": suite.E().Name("sso-user")})
			r.ExpectValid()
			token := str(r.Payload, "Token")
			Expect(token).NotTo(BeEmpty(), "getUserToken answers a token")
			Expect(validate(v, token, "")).To(Equal(tokenValid), "the token is valid")
		},
		spec{service: fa, op: "getUserToken", kind: suite.Read}.entries(),
	)

	It("getUserToken is gone from v1 (seed 001 table 2-2): the call is a SOAP fault",
		labels(fa, "v1", "getUserToken", suite.Read, true), func() {
			r := rawAsRun(fa, "v1", "getUserToken", `<urn:UserTokenInput>fnokit</urn:UserTokenInput>`)
			Expect(r.Fault).NotTo(BeNil(), "v1 has no getUserToken")
		})
})
