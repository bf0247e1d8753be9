package accounts

import (
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// BenchmarkUsersQuery pages 100 users of the default generated data set by
// account name (the handler, without the HTTP and XML around it).
func BenchmarkUsersQuery(b *testing.B) {
	r := registry(b, state.Generate(state.DefaultSizes(), 1), op.DefaultSettings())
	req := map[string]any{"queryParams": map[string]any{"accountName": q("a", "CONTAINS")}, "pageNumber": "1", "batchSize": "100"}
	for b.Loop() {
		call(b, r, UserAcctHierarchy, "v6", "getUsersQuery", req)
	}
}

// BenchmarkValidateToken checks one token (HMAC-SHA256 and parsing).
func BenchmarkValidateToken(b *testing.B) {
	r := registry(b, state.New(1), op.DefaultSettings())
	req := map[string]any{"token": tokens{key: TokenKey(42)}.issue("sjoe", now.Add(DefaultTokenLifetime))}
	for b.Loop() {
		call(b, r, Authentication, "v1", "validateToken", req)
	}
}
