package referrals_test

import (
	"net/http"
	"testing"
)

func TestOpenAPIDocumentsTheReferralRoutes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	b.env.Get("", "/openapi.json").Expect(http.StatusOK).JSON(&doc)
	for p, method := range map[string]string{
		"/api/v1/referrals": "post", "/api/v1/referrals/{id}": "patch", "/api/v1/referrals/{id}/send": "post",
		"/api/v1/referrals/{id}/appointments/{appointment_id}/attendance": "post", "/api/v1/referrals/{id}/history": "get",
	} {
		if _, ok := doc.Paths[p][method]; !ok {
			t.Errorf("%s %s is not documented", method, p)
		}
	}
	if _, ok := doc.Components.Schemas["ReferralResponse"]; !ok {
		t.Error("the referral response has no schema")
	}
}
