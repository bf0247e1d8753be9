package contract

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a SOAP service version: "" for the unversioned base service,
// "v1" … "v8" for the versioned ones.
type Version string

// Base is the unversioned service (endpoint /flexnet/services/<Service>).
const Base Version = ""

// ParseVersion accepts "", "base", "v3", "V3" or "3".
func ParseVersion(s string) (Version, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "base" {
		return Base, nil
	}
	n := strings.TrimPrefix(s, "v")
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > 99 {
		return "", fmt.Errorf("bad service version %q: use base or v1, v2, …", s)
	}
	return Version("v" + strconv.Itoa(i)), nil
}

// String returns "base" for the base version so it reads well in reports and
// file paths.
func (v Version) String() string {
	if v == Base {
		return "base"
	}
	return string(v)
}

// Number is 0 for base and N for vN.
func (v Version) Number() int {
	if v == Base {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(string(v), "v"))
	return n
}

// Operation names one SOAP operation of one service version.
type Operation struct {
	Service string  // e.g. ManageDeviceService
	Version Version // Base or vN
	Name    string  // e.g. searchDevices
}

func (o Operation) String() string {
	return o.Service + "/" + o.Version.String() + "/" + o.Name
}

// Namespace is the target namespace of the service version's payloads.
func (o Operation) Namespace() string { return Namespace(o.Service, o.Version) }

// Endpoint is the path of the service version below the site root.
func (o Operation) Endpoint() string { return Endpoint(o.Service, o.Version) }

// Namespaces FNO uses. The base services keep the Macrovision-era URNs;
// versioned services use one URN per version, with a separate family for
// ManageDevice (fne) and FlexnetAuthentication (platform).
const (
	NSOperations = "urn:com.macrovision:flexnet/operations"
	NSEmbedded   = "urn:com.macrovision:flexnet/opsembedded"
	NSPlatform   = "urn:com.macrovision:flexnet/platform"
	NSSOAPEnv    = "http://schemas.xmlsoap.org/soap/envelope/"
	NSXSI        = "http://www.w3.org/2001/XMLSchema-instance"
)

// Namespace returns the payload namespace of a service version.
func Namespace(service string, v Version) string {
	n := v.Number()
	switch service {
	case "ManageDeviceService":
		if n == 0 {
			return NSEmbedded
		}
		return fmt.Sprintf("urn:v%d.fne.webservices.operations.flexnet.com", n)
	case "FlexnetAuthentication":
		if n == 0 {
			return NSPlatform
		}
		return fmt.Sprintf("urn:v%d.webservices.platform.flexnet.com", n)
	}
	if n == 0 {
		return NSOperations
	}
	return fmt.Sprintf("urn:v%d.webservices.operations.flexnet.com", n)
}

// Endpoint returns /flexnet/services/[vN/]<service>.
func Endpoint(service string, v Version) string {
	if v == Base {
		return "/flexnet/services/" + service
	}
	return "/flexnet/services/" + string(v) + "/" + service
}
