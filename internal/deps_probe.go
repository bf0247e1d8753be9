package internal

import (
	_ "github.com/dlclark/regexp2"
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/getkin/kin-openapi/openapi3filter"
	_ "github.com/getkin/kin-openapi/routers/gorillamux"
	_ "github.com/getkin/kin-openapi/routers/legacy"
	_ "github.com/lestrrat-go/libxml2"
	_ "github.com/lestrrat-go/libxml2/xsd"
	_ "github.com/onsi/ginkgo/v2"
	_ "github.com/onsi/gomega"
)
