package soap

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// The two hierarchy services answer the same questions in two vocabularies:
// UserAcctHierarchyService (v2+) says account where UserOrgHierarchyService
// (base, v1) says organization (seed 001 table 2-2, UAH v3: "Changing
// organization to account"; UAH replaces UOH). hierarchySpecs adds the
// specs both share; each service's file adds its own.

// hierarchy names one service's elements and operations.
type hierarchy struct {
	service string
	// records
	record     string // account / organization: the identifier element
	pkKey      string // its primary key: id / name
	nameKey    string // the name in data records: name / displayName
	idKey      string // the ID in the data record to create: id / name
	detailList string // acctData / orgData
	qID, qName string // query criteria on the ID and the name
	// operations
	create, query, countOp, subs string
	createList                   string // account / organization
	// users
	createRoles, createRole string // acctRolesList/acctRoles, orgRolesList/orgRoles
	userAccountID           string // the user query's account ID criterion: accountID / orgName
}

// acctKey is the ID of a data record of the query answer.
func (h hierarchy) acctKey(a any) string { return str(a, h.record, "primaryKeys", h.pkKey) }

// accounts runs the accounts query.
func (h hierarchy) accounts(v string, params map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size}
	if params != nil {
		req["queryParams"] = params
	}
	return suite.E().SOAP(h.service, v, h.query, req)
}

// count runs the account count.
func (h hierarchy) count(v string, params map[string]any) int {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return count(ok(suite.E().SOAP(h.service, v, h.countOp, req)), "responseData", "count")
}

func (h hierarchy) users(v string, params map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size}
	if params != nil {
		req["queryParams"] = params
	}
	return suite.E().SOAP(h.service, v, "getUsersQuery", req)
}

func (h hierarchy) userCount(v string, params map[string]any) int {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return count(ok(suite.E().SOAP(h.service, v, "getUserCount", req)), "responseData", "count")
}

func userKey(u any) string { return str(u, "userIdentifier", "userName") }

// ident is the identifier element of account id.
func (h hierarchy) ident(id string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{h.pkKey: id}}
}

// account is the target's account, for reads.
func account() (id, name string) {
	GinkgoHelper()
	a := suite.E().Records().Account
	if a == nil {
		Skip("the target has no account")
	}
	return a.ID, a.Name
}

// user is the target's user name, for reads.
func user() string {
	GinkgoHelper()
	u := suite.E().Records().UserName
	if u == "" {
		Skip("the target names no user")
	}
	return u
}

// newUserRecord is a createUserDataType of account acct named name.
func (h hierarchy) newUserRecord(name, acct string) map[string]any {
	return map[string]any{
		"firstName": "Fnokit", "lastName": "Suite", "emailAddress": name + "@example.com",
		"userName": name + "@example.com", "canLogin": false,
		h.createRoles: map[string]any{h.createRole: []any{map[string]any{h.record: h.ident(acct)}}},
	}
}

func hierarchySpecs(h hierarchy) {
	authSpecs(h.service, h.countOp, func(string) map[string]any { return map[string]any{} })

	DescribeTable(h.query+" filters the "+h.record+" ID and name by each search type, and "+h.countOp+" agrees",
		func(v string) {
			id, name := account()
			for _, crit := range []struct{ key, value, field string }{{h.qID, id, ""}, {h.qName, name, h.nameKey}} {
				for _, t := range searchTypes {
					p := patternFor(t, crit.value)
					as, complete := gather(func(page int) []any {
						return list(ok(h.accounts(v, map[string]any{crit.key: query(t, p)}, page, maxReadBatch)).Payload, "responseData", h.detailList)
					})
					keys := make([]string, len(as))
					vals := make([]string, len(as))
					for i, a := range as {
						keys[i] = h.acctKey(a)
						vals[i] = keys[i]
						if crit.field != "" {
							vals[i] = str(a, crit.field)
						}
					}
					expectFilter(crit.key, t, p, each(vals), keys, whenComplete(complete, id))
					expectCount(h.count(v, map[string]any{crit.key: query(t, p)}), len(as), complete, "%s agrees for %s %s", h.countOp, crit.key, t)
				}
			}
		},
		spec{service: h.service, op: h.query, kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable(h.query+" pages are disjoint and add up to "+h.countOp,
		func(v string) {
			expectPaging(h.record+"s", h.count(v, nil), func(page, size int) []string {
				as := list(ok(h.accounts(v, nil, page, size)).Payload, "responseData", h.detailList)
				keys := make([]string, len(as))
				for i, a := range as {
					keys[i] = h.acctKey(a)
				}
				return keys
			})
		},
		spec{service: h.service, op: h.countOp, kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable(h.query+" refuses a batch above 2000, and answers an "+h.record+" as recorded",
		func(v string) {
			failsNaming(h.accounts(v, nil, 1, maxReadBatch+1), maxReadBatch)
			id, _ := account()
			r := ok(h.accounts(v, map[string]any{h.qID: query("EQUALS", id)}, 1, 10))
			Expect(list(r.Payload, "responseData", h.detailList)).To(HaveLen(1))
			r.ExpectGolden("by-id")
		},
		spec{service: h.service, op: h.query, kind: suite.Read}.entries(),
	)

	DescribeTable(h.countOp+" counts one "+h.record+" by its exact ID, as recorded",
		func(v string) {
			id, _ := account()
			r := ok(suite.E().SOAP(h.service, v, h.countOp, map[string]any{"queryParams": map[string]any{h.qID: query("EQUALS", id)}}))
			Expect(count(r, "responseData", "count")).To(Equal(1))
			r.ExpectGolden("by-id")
		},
		spec{service: h.service, op: h.countOp, kind: suite.Read}.entries(),
	)

	DescribeTable(h.subs+" answers "+h.record+"s the query knows, as recorded, and FAILURE for an unknown one",
		func(v string) {
			id, _ := account()
			r := ok(suite.E().SOAP(h.service, v, h.subs, map[string]any{h.record: h.ident(id)}))
			r.ExpectGolden("by-id")
			for _, s := range list(r.Payload, "responseData", h.detailList) {
				sid := h.acctKey(s)
				Expect(sid).NotTo(Equal(id), "an %s is not its own sub-%s", h.record, h.record)
				Expect(h.count(v, map[string]any{h.qID: query("EQUALS", sid)})).To(Equal(1), "every sub-%s is an %s the query finds", h.record, h.record)
			}
			fails(suite.E().SOAP(h.service, v, h.subs, map[string]any{h.record: h.ident(suite.E().Name("no-such-" + h.record))}))
		},
		spec{service: h.service, op: h.subs, kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getUsersQuery filters the user name by each search type, and getUserCount agrees",
		func(v string) {
			u := user()
			for _, t := range searchTypes {
				p := patternFor(t, u)
				us, complete := gather(func(page int) []any {
					return list(ok(h.users(v, map[string]any{"userName": query(t, p)}, page, maxReadBatch)).Payload, "responseData", "user")
				})
				keys := make([]string, len(us))
				for i, x := range us {
					keys[i] = userKey(x)
				}
				expectFilter("userName", t, p, each(keys), keys, whenComplete(complete, u))
				expectCount(h.userCount(v, map[string]any{"userName": query(t, p)}), len(us), complete, "getUserCount agrees for userName %s", t)
			}
		},
		spec{service: h.service, op: "getUsersQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getUsersQuery by "+h.record+" returns only its users, and pages add up to getUserCount",
		func(v string) {
			id, _ := account()
			params := map[string]any{h.userAccountID: query("EQUALS", id)}
			if num(v) >= 6 && h.userAccountID == "accountID" {
				params = map[string]any{h.userAccountID: []any{query("EQUALS", id)}}
			}
			us := list(ok(h.users(v, params, 1, maxReadBatch)).Payload, "responseData", "user")
			bad := 0
			for _, u := range us {
				found := false
				for _, r := range list(u, h.detailRolesList(), h.createRole) {
					found = found || strings.EqualFold(str(r, h.record, "primaryKeys", h.pkKey), id)
				}
				if !found {
					bad++
				}
			}
			Expect(bad).To(BeZero(), "every user returned has a role in the %s asked for", h.record)
			Expect(h.userCount(v, params)).To(Equal(len(us)), "getUserCount agrees")
			expectPaging("users", h.userCount(v, nil), func(page, size int) []string {
				us := list(ok(h.users(v, nil, page, size)).Payload, "responseData", "user")
				keys := make([]string, len(us))
				for i, u := range us {
					keys[i] = userKey(u)
				}
				return keys
			})
		},
		spec{service: h.service, op: "getUserCount", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getUsersQuery refuses a batch above 2000, and answers a user as recorded",
		func(v string) {
			failsNaming(h.users(v, nil, 1, maxReadBatch+1), maxReadBatch)
			r := ok(h.users(v, map[string]any{"userName": query("EQUALS", user())}, 1, 10))
			Expect(list(r.Payload, "responseData", "user")).To(HaveLen(1))
			r.ExpectGolden("by-user-name")
		},
		spec{service: h.service, op: "getUsersQuery", kind: suite.Read}.entries(),
	)

	// ---- writes (neither service has an operation that deletes what these
	// create: the records keep the run's prefix, see Env.Name) ----

	DescribeTable(h.create+": the new "+h.record+" is found by ID and name, and counted",
		func(v string) {
			suite.E().RequireWrites()
			emulatorOnlyUndeletable(h.record)
			id := suite.E().Name("acct-" + v)
			name := id + "-name"
			before := h.count(v, nil)
			r := ok(suite.E().SOAP(h.service, v, h.create, map[string]any{h.createList: []any{h.newRecord(id, name)}}))
			Expect(list(r.Payload, "responseData", h.record)).To(HaveLen(1), "%s names what it created", h.create)
			Expect(h.count(v, map[string]any{h.qID: query("EQUALS", id)})).To(Equal(1), "the query finds it by ID")
			as := list(ok(h.accounts(v, map[string]any{h.qName: query("EQUALS", name)}, 1, 10)).Payload, "responseData", h.detailList)
			Expect(as).To(HaveLen(1), "the query finds it by name")
			Expect(h.acctKey(as[0])).To(Equal(id))
			Expect(h.count(v, nil)).To(Equal(before+1), "%s counts one more", h.countOp)
			fails(suite.E().SOAP(h.service, v, h.create, map[string]any{h.createList: []any{h.newRecord(id, name)}}))
		},
		spec{service: h.service, op: h.create, kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable(h.create+" refuses more than 25 records in one request and creates none",
		func(v string) {
			suite.E().RequireWrites()
			prefix := suite.E().Name("acct-" + v + "-batch")
			var recs []any
			for i := range maxWriteBatch + 1 {
				id := fmt.Sprintf("%s-%02d", prefix, i)
				recs = append(recs, h.newRecord(id, id+"-name"))
			}
			failsNaming(suite.E().SOAP(h.service, v, h.create, map[string]any{h.createList: recs}), maxWriteBatch)
			Expect(h.count(v, map[string]any{h.qID: query("STARTS_WITH", prefix)})).To(BeZero(), "a refused batch creates nothing")
		},
		spec{service: h.service, op: h.create, kind: suite.Write}.entries(),
	)

	DescribeTable("createUser: the new user is found by name and counted in the "+h.record,
		func(v string) {
			suite.E().RequireWrites()
			emulatorOnlyUndeletable("user")
			id, _ := account()
			name := suite.E().Name("user-" + v)
			crit := map[string]any{h.userAccountID: query("EQUALS", id)}
			if num(v) >= 6 && h.userAccountID == "accountID" {
				crit = map[string]any{h.userAccountID: []any{query("EQUALS", id)}}
			}
			before := h.userCount(v, crit)
			r := ok(suite.E().SOAP(h.service, v, "createUser", map[string]any{"user": []any{h.newUserRecord(name, id)}}))
			Expect(list(r.Payload, "responseData", "user")).To(HaveLen(1), "createUser names the user it created")
			us := list(ok(h.users(v, map[string]any{"userName": query("EQUALS", name+"@example.com")}, 1, 10)).Payload, "responseData", "user")
			Expect(us).To(HaveLen(1), "getUsersQuery finds the new user")
			Expect(h.userCount(v, crit)).To(Equal(before+1), "the %s has one more user", h.record)
			var many []any
			for i := range maxWriteBatch + 1 {
				many = append(many, h.newUserRecord(fmt.Sprintf("%s-batch-%02d", name, i), id))
			}
			failsNaming(suite.E().SOAP(h.service, v, "createUser", map[string]any{"user": many}), maxWriteBatch)
			Expect(h.userCount(v, map[string]any{"userName": query("STARTS_WITH", name+"-batch")})).To(BeZero(), "a refused batch creates nothing")
		},
		spec{service: h.service, op: "createUser", kind: suite.Write, smoke: true}.entries(),
	)
}

// detailRolesList is the user detail's list of roles per account.
func (h hierarchy) detailRolesList() string {
	if h.record == "account" {
		return "accountRolesList"
	}
	return "orgRolesList"
}

// newRecord is the data record to create an account (id, name) or an
// organization (name, displayName).
func (h hierarchy) newRecord(id, name string) map[string]any {
	return map[string]any{h.idKey: id, h.nameKey: name, "description": "created by fnokit suites/soap"}
}

// emulatorOnlyUndeletable skips a spec that creates what FNO's SOAP API
// cannot delete (accounts, organizations, users) on a live target, so a
// run with --allow-writes leaves nothing behind there.
func emulatorOnlyUndeletable(what string) {
	if suite.E().Emulator() == nil {
		Skip("emulator only: FNO's web services have no operation to delete the " + what + " this spec creates")
	}
}
