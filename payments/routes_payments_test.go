package payments_test

import (
	"net/http"
	"testing"
)

func TestOpenAPIDocumentsThePaymentRoutes(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	b.env.Get("", "/openapi.json").Expect(http.StatusOK).JSON(&doc)
	for p, method := range map[string]string{
		"/api/v1/contracts/{id}/entitlements": "get", "/api/v1/contracts/{id}/years/{n}/settlement": "get",
		"/api/v1/payment-requests": "post", "/api/v1/payment-requests/{id}": "get", "/api/v1/payment-requests/{id}/approve": "post",
		"/api/v1/payment-requests/{id}/reject": "post", "/api/v1/payment-requests/{id}/queries": "post",
		"/api/v1/payment-requests/{id}/responses": "post", "/api/v1/payment-requests/{id}/withdraw": "post",
		"/api/v1/payment-requests/{id}/pay": "post", "/api/v1/recoveries": "get", "/api/v1/recoveries/{id}/settle": "post",
	} {
		if _, ok := doc.Paths[p][method]; !ok {
			t.Errorf("%s %s is not documented", method, p)
		}
	}
	var listParams []string
	for _, prm := range doc.Paths["/api/v1/payment-requests"]["get"].Parameters {
		listParams = append(listParams, prm.Name)
	}
	if len(listParams) < 7 {
		t.Errorf("list parameters %v", listParams)
	}
}
