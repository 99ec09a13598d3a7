package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// messages is the one table from the services' error codes to what a person reads, in GOV.UK
// wording. A key is "field:code" for a message that depends on the field, or "code" for one that
// does not; the field is the service's (JSON) name. Domains add their own with AddMessages at
// start-up. A code found nowhere falls back to the service's own sentence, capitalised.
var messages = map[string]string{
	// Generic codes.
	"required":       "Enter this information",
	"too_long":       "This answer is too long",
	"invalid_date":   "Enter a real date",
	"invalid_type":   "Enter a valid answer",
	"unknown_field":  "This form sent something the service does not recognise; reload the page and try again",
	"invalid_limit":  "Choose how many results to show",
	"invalid_cursor": "This page of results is no longer available; start again from the first page",
	"invalid_sort":   "Select how to sort the results",
	"invalid_status": "Select a status",
	"not_allowed":    "You cannot change this",
	"invalid_email":  "Enter an email address in the correct format, like name@example.com",

	// Sign-in and users.
	"email:required":     "Enter your email address",
	"password:required":  "Enter your password",
	"password_too_short": "Password must be 10 characters or more",

	// Catalogue filters.
	"unknown_pcc_area":         "Select a PCC area from the list",
	"unknown_region":           "Select a region from the list",
	"unknown_service_category": "Select a service category from the list",
	"unknown_contract_type":    "Select a contract type from the list",
	"invalid_sex":              "Select female or male",
	"invalid_setting":          "Select community, licence or pre-release",
	"invalid_age":              "Age must be a whole number between 0 and 130",

	// Referrals.
	"invalid_crn":                  "Enter a CRN in the correct format, like X123456",
	"crn:required":                 "Enter the person's CRN",
	"contract_not_found":           "This service is no longer in the catalogue; find another service",
	"date_of_birth_in_future":      "Date of birth must be in the past",
	"deadline_in_past":             "The completion date must be in the future",
	"deadline_after_contract_end":  "The completion date must be before the contract ends",
	"invalid_max_enforceable_days": "Maximum enforceable days must be a whole number between 1 and 200",
	"sex_not_eligible":             "This service is not for people of this sex; find another service",
	"age_not_eligible":             "This service is not for people of this age; find another service",
	"setting_not_eligible":         "This service does not take referrals in this setting; find another service",
	"sex_required":                 "Select the person's sex",
	"setting_required":             "Select the setting",
	"unknown_withdrawal_reason":    "Select a reason for withdrawing the referral",
	"role_not_allowed":             "Your role cannot do this",
	"version_mismatch":             "Someone else changed this while you were working on it; check the page and try again",
}

// AddMessages adds entries to the message table ("field:code" or "code" keys); call it at start-up
// only, before the server serves.
func AddMessages(m map[string]string) {
	for k, v := range m {
		messages[k] = v
	}
}

// Message returns the sentence for a service error: the field's own entry, else the code's, else the
// service's message with a capital letter.
func Message(field, code, fallback string) string {
	if field != "" {
		if m, ok := messages[lastSegment(field)+":"+code]; ok {
			return m
		}
	}
	if m, ok := messages[code]; ok {
		return m
	}
	return capitalise(strings.TrimSuffix(fallback, "."))
}

// lastSegment is the field's own name in a JSON path: "person.date_of_birth" is "date_of_birth".
func lastSegment(field string) string {
	if i := strings.LastIndex(field, "."); i >= 0 {
		field = field[i+1:]
	}
	if i := strings.Index(field, "["); i >= 0 {
		field = field[:i]
	}
	return field
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return "Something went wrong; try again"
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
