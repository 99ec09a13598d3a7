package contracts_test

import (
	"net/http"
	"testing"
)

func BenchmarkTmpReference(b *testing.B) {
	env := benchSetup(b)
	admin := env.Admin()
	for _, p := range []string{"/contracts?limit=50", "/reference/regions"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				env.Get(admin.Token, "/api/v1"+p).Expect(http.StatusOK)
			}
		})
	}
}
