package suppliers

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
)

func TestParseOrganisationType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want OrganisationType
		ok   bool
	}{
		{"VCSE", TypeVCSE, true}, {"SME", TypeSME, true}, {"LARGE", TypeLarge, true},
		{"vcse", "", false}, {"", "", false}, {"CHARITY", "", false},
	} {
		got, err := ParseOrganisationType(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseOrganisationType(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Status
		ok   bool
	}{
		{"active", StatusActive, true}, {"suspended", StatusSuspended, true}, {"removed", StatusRemoved, true},
		{"Active", "", false}, {"", "", false}, {"deleted", "", false},
	} {
		got, err := ParseStatus(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestStatusCanBecome(t *testing.T) {
	t.Parallel()
	allowed := map[[2]Status]bool{
		{StatusActive, StatusSuspended}:  true,
		{StatusActive, StatusRemoved}:    true,
		{StatusSuspended, StatusActive}:  true,
		{StatusSuspended, StatusRemoved}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := allowed[[2]Status{from, to}]
			if got := from.CanBecome(to); got != want {
				t.Errorf("%s.CanBecome(%s) = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestStatusAwardable(t *testing.T) {
	t.Parallel()
	for st, want := range map[Status]bool{StatusActive: true, StatusSuspended: false, StatusRemoved: false} {
		if got := st.Awardable(); got != want {
			t.Errorf("%s.Awardable() = %v, want %v", st, got, want)
		}
	}
}

func TestValidCompaniesHouseNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want bool
	}{
		{"01234567", true},
		{" 01234567 ", true},
		{"SC123456", true},
		{"sc123456", true},
		{"NI012345", true},
		{"OC301234", true},
		{"R0123456", true},
		{"1234567", false},
		{"123456789", false},
		{"S1234567", false},
		{"SC12345", false},
		{"SC 123456", false},
		{"", false},
	}
	for _, tc := range cases {
		if got := ValidCompaniesHouseNumber(NormaliseCompaniesHouseNumber(tc.in)); got != tc.want {
			t.Errorf("ValidCompaniesHouseNumber(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestValidCharityNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want bool
	}{
		{"1089464", true},   // England and Wales, 7 digits
		{"212345", true},    // England and Wales, 6 digits (older)
		{"1089464-1", true}, // a linked charity
		{"1089464-12", true},
		{"SC012345", true}, // Scotland
		{"sc012345", true},
		{"NIC100002", true}, // Northern Ireland
		{"NI12345", true},   // older Northern Ireland reference
		{"12345", false},
		{"123456789", false},
		{"1089464-123", false},
		{"SC01234", false},
		{"NIC10000", false},
		{"XR12345", false},
		{"", false},
	}
	for _, tc := range cases {
		if got := ValidCharityNumber(NormaliseCharityNumber(tc.in)); got != tc.want {
			t.Errorf("ValidCharityNumber(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPostcode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, norm string
		valid    bool
	}{
		{"SW1A 1AA", "SW1A 1AA", true},
		{"sw1a1aa", "SW1A 1AA", true},
		{"  m1   1ae ", "M1 1AE", true},
		{"B33 8TH", "B33 8TH", true},
		{"CR2 6XH", "CR2 6XH", true},
		{"DN55 1PT", "DN55 1PT", true},
		{"W1A 0AX", "W1A 0AX", true},
		{"EC1A 1BB", "EC1A 1BB", true},
		{"12345", "12 345", false},
		{"SW1A 1A", "SW1 A1A", false},
		{"ABC1 1AA", "ABC1 1AA", false},
		{"", "", false},
	}
	for _, tc := range cases {
		norm := NormalisePostcode(tc.in)
		if norm != tc.norm {
			t.Errorf("NormalisePostcode(%q) = %q, want %q", tc.in, norm, tc.norm)
		}
		if got := ValidPostcode(norm); got != tc.valid {
			t.Errorf("ValidPostcode(%q) = %v, want %v", norm, got, tc.valid)
		}
	}
}

func TestValidEmail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want bool
	}{
		{"contracts@example.org", true},
		{"first.last+crs@sub.example.org.uk", true},
		{"no-at-sign.example.org", false},
		{"name@localhost", false},
		{"Contracts Team <contracts@example.org>", false},
		{"@example.org", false},
		{"name@example.", false},
		{"two words@example.org", false},
		{"", false},
	}
	for _, tc := range cases {
		if got := ValidEmail(NormaliseEmail(tc.in)); got != tc.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestValidPhone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want bool
	}{
		{"020 7946 0000", true},
		{"07700900123", true},
		{"+44 20 7946 0000", true},
		{"  0161   496 0000 ", true},
		{"+353 1 234 5678", true},
		{"0161 496", false},          // too few digits
		{"1234567890123456", false},  // too many
		{"020-7946-0000", false},     // hyphens are not allowed
		{"(020) 7946 0000", false},   // nor brackets
		{"020 7946 0000 +1", false},  // + only at the start
		{"020 7946 0000 ext", false}, // nor letters
	}
	for _, tc := range cases {
		if got := ValidPhone(NormalisePhone(tc.in)); got != tc.want {
			t.Errorf("ValidPhone(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// validParams returns inputs that pass Validate.
func validParams() CreateParams {
	return CreateParams{
		LegalName: "Northfield Community Trust", OrganisationType: "VCSE", CharityNumber: "1089464",
		Address:        Address{Line1: "1 Mill Lane", Town: "Leeds", Postcode: "LS1 4AP"},
		Contacts:       []Contact{{Name: "Contracts team", Email: "contracts@example.org"}},
		Qualifications: []Qualification{{ServiceCategory: "ACCOMMODATION", Region: "J"}},
	}
}

var testKnown = Known{
	Category: func(c string) bool { return slices.Contains([]string{"ACCOMMODATION", "ETE"}, c) },
	Region:   func(c string) bool { return len(c) == 1 && c >= "A" && c <= "L" },
}

// fieldCodes returns the "field code" pairs of an invalid error.
func fieldCodes(t *testing.T, err error) []string {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindInvalid {
		t.Fatalf("error %v is not an invalid apperr", err)
	}
	var out []string
	for _, f := range ae.Fields {
		out = append(out, f.Field+" "+f.Code)
	}
	return out
}

func TestCreateParamsValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*CreateParams)
		want []string
	}{
		{name: "valid", edit: func(*CreateParams) {}},
		{name: "company only", edit: func(p *CreateParams) { p.CharityNumber, p.CompaniesHouseNumber = "", "01234567" }},
		{name: "no legal name", edit: func(p *CreateParams) { p.LegalName = "  " }, want: []string{"legal_name required"}},
		{name: "legal name of 201 letters", edit: func(p *CreateParams) { p.LegalName = strings.Repeat("a", 201) }, want: []string{"legal_name too_long"}},
		{name: "no type", edit: func(p *CreateParams) { p.OrganisationType = "" }, want: []string{"organisation_type required"}},
		{name: "unknown type", edit: func(p *CreateParams) { p.OrganisationType = "PUBLIC" }, want: []string{"organisation_type invalid_organisation_type"}},
		{name: "bad company number", edit: func(p *CreateParams) { p.CompaniesHouseNumber = "123" }, want: []string{"companies_house_number invalid_companies_house_number"}},
		{name: "bad charity number", edit: func(p *CreateParams) { p.CharityNumber = "CH1" }, want: []string{"charity_number invalid_charity_number"}},
		{
			name: "neither number", edit: func(p *CreateParams) { p.CharityNumber = "" },
			want: []string{"companies_house_number registration_required", "charity_number registration_required"},
		},
		{
			name: "address missing", edit: func(p *CreateParams) { p.Address = Address{} },
			want: []string{"address.line1 required", "address.town required", "address.postcode required"},
		},
		{name: "bad postcode", edit: func(p *CreateParams) { p.Address.Postcode = "LS1" }, want: []string{"address.postcode invalid_postcode"}},
		{name: "no contacts", edit: func(p *CreateParams) { p.Contacts = nil }, want: []string{"contacts required"}},
		{
			name: "bad contact", edit: func(p *CreateParams) { p.Contacts = append(p.Contacts, Contact{Email: "nobody", Phone: "12"}) },
			want: []string{"contacts[1].name required", "contacts[1].email invalid_email", "contacts[1].phone invalid_phone"},
		},
		{name: "contact without email", edit: func(p *CreateParams) { p.Contacts[0].Email = "" }, want: []string{"contacts[0].email required"}},
		{
			name: "unknown category and region",
			edit: func(p *CreateParams) { p.Qualifications = []Qualification{{ServiceCategory: "GARDENING", Region: "Z"}} },
			want: []string{"qualifications[0].service_category unknown_service_category", "qualifications[0].region unknown_region"},
		},
		{
			name: "empty qualification",
			edit: func(p *CreateParams) { p.Qualifications = []Qualification{{}} },
			want: []string{"qualifications[0].service_category required", "qualifications[0].region required"},
		},
		{
			name: "duplicate qualification, in another case",
			edit: func(p *CreateParams) {
				p.Qualifications = append(p.Qualifications, Qualification{ServiceCategory: "accommodation", Region: "j"})
			},
			want: []string{"qualifications[1] duplicate_qualification"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := validParams()
			tc.edit(&p)
			_, err := p.Validate(testKnown)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if got := fieldCodes(t, err); !slices.Equal(got, tc.want) {
				t.Fatalf("field errors %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCreateParamsValidateNormalises(t *testing.T) {
	t.Parallel()
	p := CreateParams{
		LegalName: "  Northfield   Community Trust ", TradingName: " Northfield ", OrganisationType: "sme",
		CompaniesHouseNumber: " sc123456 ", CharityNumber: "sc012345",
		Address:        Address{Line1: " 1 Mill Lane ", Line2: " ", Town: " Leeds ", Postcode: "ls14ap"},
		Contacts:       []Contact{{Name: " Bids ", Email: " Bids@Example.ORG ", Phone: " 0113  496 0000 ", Role: " bids "}},
		Qualifications: []Qualification{{ServiceCategory: " ete ", Region: "a"}},
	}
	s, err := p.Validate(testKnown)
	if err != nil {
		t.Fatal(err)
	}
	want := Supplier{
		LegalName: "Northfield Community Trust", TradingName: "Northfield", OrganisationType: TypeSME,
		CompaniesHouseNumber: "SC123456", CharityNumber: "SC012345",
		Address:        Address{Line1: "1 Mill Lane", Town: "Leeds", Postcode: "LS1 4AP"},
		Contacts:       []Contact{{Name: "Bids", Email: "bids@example.org", Phone: "0113 496 0000", Role: "bids"}},
		Qualifications: []Qualification{{ServiceCategory: "ETE", Region: "A"}},
	}
	if s.LegalName != want.LegalName || s.TradingName != want.TradingName || s.OrganisationType != want.OrganisationType ||
		s.CompaniesHouseNumber != want.CompaniesHouseNumber || s.CharityNumber != want.CharityNumber || s.Address != want.Address ||
		!slices.Equal(s.Contacts, want.Contacts) || !slices.Equal(s.Qualifications, want.Qualifications) {
		t.Fatalf("Validate = %+v\nwant %+v", s, want)
	}
}

func TestUpdateParamsApply(t *testing.T) {
	t.Parallel()
	base := validParams()
	empty, town := "", "Bradford"
	contacts := []Contact{{Name: "New", Email: "new@example.org"}}
	got := UpdateParams{TradingName: &empty, Address: &AddressUpdate{Town: &town}, Contacts: &contacts}.apply(base)
	if got.LegalName != base.LegalName || got.TradingName != "" || got.Address.Town != "Bradford" || got.Address.Line1 != base.Address.Line1 ||
		!slices.Equal(got.Contacts, contacts) || !slices.Equal(got.Qualifications, base.Qualifications) {
		t.Fatalf("apply = %+v", got)
	}
}

func TestValidateStatusChange(t *testing.T) {
	t.Parallel()
	today := calendar.NewDate(2026, time.March, 10)
	active := Supplier{Status: StatusActive}
	suspended := Supplier{Status: StatusSuspended, StatusEffective: calendar.NewDate(2026, time.March, 1)}
	removed := Supplier{Status: StatusRemoved, StatusEffective: calendar.NewDate(2026, time.February, 1)}
	cases := []struct {
		name     string
		s        Supplier
		p        ChangeStatusParams
		wantDate calendar.Date
		fields   []string
		conflict bool
	}{
		{name: "suspend today by default", s: active, p: ChangeStatusParams{Status: "suspended", Reason: "audit"}, wantDate: today},
		{name: "suspend backdated", s: active, p: ChangeStatusParams{Status: "suspended", Reason: "audit", EffectiveDate: "2026-01-05"}, wantDate: calendar.NewDate(2026, time.January, 5)},
		{name: "reinstate", s: suspended, p: ChangeStatusParams{Status: "active", Reason: "resolved", EffectiveDate: "2026-03-01"}, wantDate: calendar.NewDate(2026, time.March, 1)},
		{name: "remove a suspended supplier", s: suspended, p: ChangeStatusParams{Status: "removed", Reason: "left"}, wantDate: today},
		{name: "removal is final", s: removed, p: ChangeStatusParams{Status: "active", Reason: "back"}, conflict: true},
		{name: "same status", s: active, p: ChangeStatusParams{Status: "active", Reason: "again"}, conflict: true},
		{name: "missing status and reason", s: active, p: ChangeStatusParams{}, fields: []string{"status required", "reason required"}},
		{name: "unknown status", s: active, p: ChangeStatusParams{Status: "paused", Reason: "x"}, fields: []string{"status invalid_status"}},
		{name: "bad date", s: active, p: ChangeStatusParams{Status: "suspended", Reason: "x", EffectiveDate: "10/03/2026"}, fields: []string{"effective_date invalid_date"}},
		{name: "future date", s: active, p: ChangeStatusParams{Status: "suspended", Reason: "x", EffectiveDate: "2026-03-11"}, fields: []string{"effective_date effective_date_in_future"}},
		{
			name: "before the previous change", s: suspended, p: ChangeStatusParams{Status: "active", Reason: "x", EffectiveDate: "2026-02-28"},
			fields: []string{"effective_date effective_date_before_previous"},
		},
		{name: "reason too long", s: active, p: ChangeStatusParams{Status: "suspended", Reason: strings.Repeat("x", 2001)}, fields: []string{"reason too_long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, err := validateStatusChange(tc.s, tc.p, today)
			switch {
			case tc.conflict:
				var ae *apperr.Error
				if !errors.As(err, &ae) || ae.Kind != apperr.KindConflict || ae.Code != "invalid_status_transition" {
					t.Fatalf("error %v, want conflict invalid_status_transition", err)
				}
			case tc.fields != nil:
				if got := fieldCodes(t, err); !slices.Equal(got, tc.fields) {
					t.Fatalf("field errors %q, want %q", got, tc.fields)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if in.EffectiveDate != tc.wantDate || string(in.To) != tc.p.Status {
					t.Fatalf("input %+v, want %s effective %s", in, tc.p.Status, tc.wantDate)
				}
			}
		})
	}
}
