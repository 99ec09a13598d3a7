package suppliers

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/enum"
)

// OrganisationType is what kind of organisation a supplier is; the public reports the share of
// contract value going to VCSE and SME organisations.
type OrganisationType string

// The organisation types.
const (
	// TypeVCSE is a voluntary, community or social enterprise organisation.
	TypeVCSE OrganisationType = "VCSE"
	// TypeSME is a small or medium enterprise.
	TypeSME OrganisationType = "SME"
	// TypeLarge is a large private company.
	TypeLarge OrganisationType = "LARGE"
)

// OrganisationTypes lists every organisation type.
var OrganisationTypes = []OrganisationType{TypeVCSE, TypeSME, TypeLarge}

// ParseOrganisationType parses VCSE, SME or LARGE; it returns an invalid error (field
// "organisation_type", code invalid_organisation_type) for anything else.
func ParseOrganisationType(s string) (OrganisationType, error) {
	return enum.Parse("organisation_type", "invalid_organisation_type", s, OrganisationTypes...)
}

// Status is a supplier's standing on the framework.
type Status string

// The framework statuses.
const (
	// StatusActive suppliers may be awarded contracts.
	StatusActive Status = "active"
	// StatusSuspended suppliers keep their live contracts (referrals continue) but cannot be awarded new ones.
	StatusSuspended Status = "suspended"
	// StatusRemoved suppliers have left the framework for good.
	StatusRemoved Status = "removed"
)

// Statuses lists every status.
var Statuses = []Status{StatusActive, StatusSuspended, StatusRemoved}

// ParseStatus parses active, suspended or removed; it returns an invalid error (field "status", code
// invalid_status) for anything else.
func ParseStatus(s string) (Status, error) {
	return enum.Parse("status", "invalid_status", s, Statuses...)
}

// transitions are the allowed status changes. Removal is final.
var transitions = map[Status][]Status{
	StatusActive:    {StatusSuspended, StatusRemoved},
	StatusSuspended: {StatusActive, StatusRemoved},
}

// CanBecome reports whether a supplier with status s may change to status to. A change to the same
// status is not a change and is refused.
func (s Status) CanBecome(to Status) bool {
	return slices.Contains(transitions[s], to)
}

// Awardable reports whether a supplier with the status may be awarded a new contract.
func (s Status) Awardable() bool { return s == StatusActive }

// Address is a supplier's postal address; Line2 may be empty.
type Address struct {
	Line1    string
	Line2    string
	Town     string
	Postcode string
}

// Contact is a person to contact at a supplier.
type Contact struct {
	Name  string
	Email string
	// Phone and Role may be empty.
	Phone string
	Role  string
}

// Qualification is one framework qualification: the supplier may bid for contracts offering the
// service category in the region.
type Qualification struct {
	ServiceCategory string
	Region          string
}

// StatusChange is one recorded change of a supplier's status.
type StatusChange struct {
	ID            uuid.UUID
	From          Status
	To            Status
	Reason        string
	EffectiveDate calendar.Date
	// ChangedBy is nil when the platform itself made the change.
	ChangedBy *uuid.UUID
	ChangedAt time.Time
}

// Supplier is an organisation on the Dynamic Framework.
type Supplier struct {
	ID               uuid.UUID
	LegalName        string
	TradingName      string
	OrganisationType OrganisationType
	// CompaniesHouseNumber and CharityNumber may each be empty, but not both.
	CompaniesHouseNumber string
	CharityNumber        string
	Address              Address
	Status               Status
	// StatusReason and StatusEffective describe the latest status change; empty before the first.
	StatusReason    string
	StatusEffective calendar.Date
	Contacts        []Contact
	Qualifications  []Qualification
	// StatusHistory holds every status change, oldest first.
	StatusHistory []StatusChange
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// sameDetails reports whether o has the same editable details as s: names, type, numbers, address,
// contacts in order, and qualifications in any order.
func (s Supplier) sameDetails(o Supplier) bool {
	key := func(q Qualification) string { return q.Region + "/" + q.ServiceCategory }
	sorted := func(qs []Qualification) []string {
		out := make([]string, len(qs))
		for i, q := range qs {
			out[i] = key(q)
		}
		slices.Sort(out)
		return out
	}
	return s.LegalName == o.LegalName && s.TradingName == o.TradingName && s.OrganisationType == o.OrganisationType &&
		s.CompaniesHouseNumber == o.CompaniesHouseNumber && s.CharityNumber == o.CharityNumber && s.Address == o.Address &&
		slices.Equal(s.Contacts, o.Contacts) && slices.Equal(sorted(s.Qualifications), sorted(o.Qualifications))
}

// Summary returns what other domains need of the supplier.
func (s Supplier) Summary() Summary {
	return Summary{ID: s.ID, LegalName: s.LegalName, TradingName: s.TradingName, OrganisationType: s.OrganisationType, Status: s.Status}
}

// Summary is what other domains need of a supplier.
type Summary struct {
	ID               uuid.UUID
	LegalName        string
	TradingName      string
	OrganisationType OrganisationType
	Status           Status
}

// Field limits.
const (
	maxNameLength   = 200
	maxTextLength   = 200
	maxReasonLength = 2000
	maxContacts     = 50
)

var (
	companiesHouseRe = regexp.MustCompile(`^([0-9]{8}|[A-Z]{2}[0-9]{6}|R0[0-9]{6})$`)
	// Charity registers: England and Wales (6 to 8 digits, with an optional subsidiary suffix such as
	// -1), Scotland (SC and 6 digits), Northern Ireland (NIC and 6 digits, or an older NI reference of
	// 5 or 6 digits).
	charityRe  = regexp.MustCompile(`^([0-9]{6,8}(-[0-9]{1,2})?|SC[0-9]{6}|NIC[0-9]{6}|NI[0-9]{5,6})$`)
	postcodeRe = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$`)
)

// NormaliseCompaniesHouseNumber trims and upper-cases a Companies House number.
func NormaliseCompaniesHouseNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ValidCompaniesHouseNumber reports whether a normalised Companies House number has the register's
// shape: 8 digits (companies of England and Wales), or two letters and 6 digits (SC Scotland, NI
// Northern Ireland, OC LLPs, ...). It checks the shape only, not that the company exists.
func ValidCompaniesHouseNumber(s string) bool { return companiesHouseRe.MatchString(s) }

// NormaliseCharityNumber trims and upper-cases a charity number.
func NormaliseCharityNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ValidCharityNumber reports whether a normalised charity number has the shape of one of the UK's
// three registers: England and Wales (6 to 8 digits, optionally -N or -NN for a linked charity),
// Scotland (SC and 6 digits), Northern Ireland (NIC and 6 digits; NI and 5 or 6 digits for older
// references). It checks the shape only.
func ValidCharityNumber(s string) bool { return charityRe.MatchString(s) }

// NormalisePostcode upper-cases a postcode and writes it with one space before the inward code (the
// last three characters): " sw1a1aa " becomes "SW1A 1AA".
func NormalisePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) < 5 {
		return s
	}
	return s[:len(s)-3] + " " + s[len(s)-3:]
}

// ValidPostcode reports whether a normalised postcode has the basic UK shape (outward code of one or
// two letters, a digit and an optional letter or digit; inward code of a digit and two letters). It
// does not check that the postcode exists.
func ValidPostcode(s string) bool { return postcodeRe.MatchString(s) }

// NormaliseEmail trims and lower-cases an email address.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether a normalised address is a plain address (no display name) with a dot in
// its domain.
func ValidEmail(s string) bool {
	at := strings.LastIndex(s, "@")
	if at < 1 || !strings.Contains(s[at:], ".") || strings.HasSuffix(s, ".") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

// NormalisePhone trims a phone number and collapses runs of spaces.
func NormalisePhone(s string) string { return strings.Join(strings.Fields(s), " ") }

// ValidPhone reports whether a normalised phone number holds only digits and spaces, with an optional
// leading +, and 10 to 15 digits (UK numbers have 10 or 11; international ones at most 15).
func ValidPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 10 && digits <= 15
}

// CreateParams are the inputs of Create, as given: Validate trims and normalises them.
type CreateParams struct {
	LegalName            string
	TradingName          string
	OrganisationType     string
	CompaniesHouseNumber string
	CharityNumber        string
	Address              Address
	Contacts             []Contact
	Qualifications       []Qualification
}

// AddressUpdate changes some lines of an address; nil fields are left as they are and "" clears Line2.
type AddressUpdate struct {
	Line1    *string
	Line2    *string
	Town     *string
	Postcode *string
}

// UpdateParams are the inputs of Update; nil fields are left as they are. An empty string clears an
// optional field (trading name, either registration number, address line 2). Contacts and
// Qualifications, when given, replace the whole list.
type UpdateParams struct {
	LegalName            *string
	TradingName          *string
	OrganisationType     *string
	CompaniesHouseNumber *string
	CharityNumber        *string
	Address              *AddressUpdate
	Contacts             *[]Contact
	Qualifications       *[]Qualification
}

// ChangeStatusParams are the inputs of ChangeStatus. EffectiveDate is "YYYY-MM-DD" or empty for today.
type ChangeStatusParams struct {
	Status        string
	Reason        string
	EffectiveDate string
}

// paramsOf returns a supplier's editable fields as CreateParams, for applying an update to them.
func paramsOf(s Supplier) CreateParams {
	return CreateParams{
		LegalName: s.LegalName, TradingName: s.TradingName, OrganisationType: string(s.OrganisationType),
		CompaniesHouseNumber: s.CompaniesHouseNumber, CharityNumber: s.CharityNumber, Address: s.Address,
		Contacts: slices.Clone(s.Contacts), Qualifications: slices.Clone(s.Qualifications),
	}
}

// apply returns p with the update's fields set.
func (u UpdateParams) apply(p CreateParams) CreateParams {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.LegalName, u.LegalName)
	set(&p.TradingName, u.TradingName)
	set(&p.OrganisationType, u.OrganisationType)
	set(&p.CompaniesHouseNumber, u.CompaniesHouseNumber)
	set(&p.CharityNumber, u.CharityNumber)
	if u.Address != nil {
		set(&p.Address.Line1, u.Address.Line1)
		set(&p.Address.Line2, u.Address.Line2)
		set(&p.Address.Town, u.Address.Town)
		set(&p.Address.Postcode, u.Address.Postcode)
	}
	if u.Contacts != nil {
		p.Contacts = *u.Contacts
	}
	if u.Qualifications != nil {
		p.Qualifications = *u.Qualifications
	}
	return p
}

// Known says which reference codes exist; Validate checks qualifications against it.
type Known struct {
	Category func(code string) bool
	Region   func(code string) bool
}

// Validate checks the inputs and returns them normalised as a supplier's editable fields (identity,
// status and version are left for the caller). It returns an invalid error listing every field error:
// required, too_long, invalid_organisation_type, invalid_companies_house_number, invalid_charity_number,
// registration_required (neither number), invalid_postcode, invalid_email, invalid_phone, too_many,
// unknown_service_category, unknown_region and duplicate_qualification.
func (p CreateParams) Validate(known Known) (Supplier, error) {
	var f apperr.Fields
	s := Supplier{
		LegalName:            strings.Join(strings.Fields(p.LegalName), " "),
		TradingName:          strings.Join(strings.Fields(p.TradingName), " "),
		CompaniesHouseNumber: NormaliseCompaniesHouseNumber(p.CompaniesHouseNumber),
		CharityNumber:        NormaliseCharityNumber(p.CharityNumber),
		Address: Address{
			Line1: strings.TrimSpace(p.Address.Line1), Line2: strings.TrimSpace(p.Address.Line2),
			Town: strings.TrimSpace(p.Address.Town), Postcode: NormalisePostcode(p.Address.Postcode),
		},
	}
	if f.Check(s.LegalName != "", "legal_name", "required", "legal_name is required") {
		checkLength(&f, "legal_name", s.LegalName, maxNameLength)
	}
	checkLength(&f, "trading_name", s.TradingName, maxNameLength)
	typ := strings.ToUpper(strings.TrimSpace(p.OrganisationType))
	if f.Check(typ != "", "organisation_type", "required", "organisation_type is required") {
		t, err := ParseOrganisationType(typ)
		f.Check(err == nil, "organisation_type", "invalid_organisation_type", "organisation_type must be VCSE, SME or LARGE")
		s.OrganisationType = t
	}
	if s.CompaniesHouseNumber != "" {
		f.Check(ValidCompaniesHouseNumber(s.CompaniesHouseNumber), "companies_house_number", "invalid_companies_house_number",
			"companies_house_number must be 8 characters: 8 digits, or 2 letters (such as SC or OC) and 6 digits")
	}
	if s.CharityNumber != "" {
		f.Check(ValidCharityNumber(s.CharityNumber), "charity_number", "invalid_charity_number",
			"charity_number must be an England and Wales number (6 to 8 digits, optionally -N), SC and 6 digits, or NIC and 6 digits")
	}
	if s.CompaniesHouseNumber == "" && s.CharityNumber == "" {
		for _, e := range registrationRequired() {
			f.Add(e.Field, e.Code, e.Message)
		}
	}
	validateAddress(&f, s.Address)
	s.Contacts = validateContacts(&f, p.Contacts)
	s.Qualifications = validateQualifications(&f, p.Qualifications, known)
	if err := f.Err("the supplier is not valid"); err != nil {
		return Supplier{}, err
	}
	return s, nil
}

// registrationRequired is the error of a supplier with neither registration number, on both fields.
func registrationRequired() []apperr.FieldError {
	const msg = "a supplier needs a Companies House number, a charity number or both"
	return []apperr.FieldError{
		{Field: "companies_house_number", Code: "registration_required", Message: msg},
		{Field: "charity_number", Code: "registration_required", Message: msg},
	}
}

func checkLength(f *apperr.Fields, field, value string, limit int) {
	f.Check(utf8.RuneCountInString(value) <= limit, field, "too_long", field+" must be at most "+strconv.Itoa(limit)+" characters")
}

func validateAddress(f *apperr.Fields, a Address) {
	if f.Check(a.Line1 != "", "address.line1", "required", "address.line1 is required") {
		checkLength(f, "address.line1", a.Line1, maxTextLength)
	}
	checkLength(f, "address.line2", a.Line2, maxTextLength)
	if f.Check(a.Town != "", "address.town", "required", "address.town is required") {
		checkLength(f, "address.town", a.Town, maxTextLength)
	}
	if f.Check(a.Postcode != "", "address.postcode", "required", "address.postcode is required") {
		f.Check(ValidPostcode(a.Postcode), "address.postcode", "invalid_postcode", "address.postcode must be a UK postcode such as SW1A 1AA")
	}
}

func validateContacts(f *apperr.Fields, in []Contact) []Contact {
	if !f.Check(len(in) > 0, "contacts", "required", "a supplier needs at least one contact") {
		return []Contact{}
	}
	if !f.Check(len(in) <= maxContacts, "contacts", "too_many", "a supplier has at most "+strconv.Itoa(maxContacts)+" contacts") {
		return []Contact{}
	}
	out := make([]Contact, len(in))
	for i, c := range in {
		field := "contacts[" + strconv.Itoa(i) + "]."
		c = Contact{Name: strings.TrimSpace(c.Name), Email: NormaliseEmail(c.Email), Phone: NormalisePhone(c.Phone), Role: strings.TrimSpace(c.Role)}
		if f.Check(c.Name != "", field+"name", "required", "a contact needs a name") {
			checkLength(f, field+"name", c.Name, maxTextLength)
		}
		if f.Check(c.Email != "", field+"email", "required", "a contact needs an email address") {
			f.Check(ValidEmail(c.Email) && len(c.Email) <= 254, field+"email", "invalid_email", "email must be a plain address such as name@example.org")
		}
		if c.Phone != "" {
			f.Check(ValidPhone(c.Phone), field+"phone", "invalid_phone", "phone must hold 10 to 15 digits, with spaces and a leading + allowed")
		}
		checkLength(f, field+"role", c.Role, maxTextLength)
		out[i] = c
	}
	return out
}

func validateQualifications(f *apperr.Fields, in []Qualification, known Known) []Qualification {
	out := make([]Qualification, 0, len(in))
	seen := make(map[Qualification]bool, len(in))
	for i, q := range in {
		field := "qualifications[" + strconv.Itoa(i) + "]"
		q = Qualification{ServiceCategory: strings.ToUpper(strings.TrimSpace(q.ServiceCategory)), Region: strings.ToUpper(strings.TrimSpace(q.Region))}
		ok := true
		if f.Check(q.ServiceCategory != "", field+".service_category", "required", "a qualification needs a service category") {
			ok = f.Check(known.Category(q.ServiceCategory), field+".service_category", "unknown_service_category",
				"service category "+q.ServiceCategory+" does not exist") && ok
		} else {
			ok = false
		}
		if f.Check(q.Region != "", field+".region", "required", "a qualification needs a region") {
			ok = f.Check(known.Region(q.Region), field+".region", "unknown_region", "region "+q.Region+" does not exist") && ok
		} else {
			ok = false
		}
		if !ok {
			continue
		}
		if !f.Check(!seen[q], field, "duplicate_qualification", "the qualification "+q.ServiceCategory+" in region "+q.Region+" is listed twice") {
			continue
		}
		seen[q] = true
		out = append(out, q)
	}
	return out
}

// statusChangeInput is a validated status change request.
type statusChangeInput struct {
	To            Status
	Reason        string
	EffectiveDate calendar.Date
}

// validateStatusChange checks a status change request against the supplier's current state: a known
// target status, a reason, and an effective date (default today) that is neither in the future nor
// before the previous change's. It returns an invalid error with field errors (required,
// invalid_status, too_long, invalid_date, effective_date_in_future, effective_date_before_previous),
// or a conflict invalid_status_transition when the current status cannot become the target.
func validateStatusChange(s Supplier, p ChangeStatusParams, today calendar.Date) (statusChangeInput, error) {
	var f apperr.Fields
	in := statusChangeInput{Reason: strings.TrimSpace(p.Reason), EffectiveDate: today}
	status := strings.ToLower(strings.TrimSpace(p.Status))
	if f.Check(status != "", "status", "required", "status is required") {
		st, err := ParseStatus(status)
		f.Check(err == nil, "status", "invalid_status", "status must be active, suspended or removed")
		in.To = st
	}
	if f.Check(in.Reason != "", "reason", "required", "a status change needs a reason") {
		checkLength(&f, "reason", in.Reason, maxReasonLength)
	}
	if ds := strings.TrimSpace(p.EffectiveDate); ds != "" {
		d, err := calendar.ParseDate(ds)
		if f.Check(err == nil, "effective_date", "invalid_date", "effective_date must be a date (YYYY-MM-DD)") {
			in.EffectiveDate = d
		}
	}
	if !f.Has("effective_date") {
		f.Check(!in.EffectiveDate.After(today), "effective_date", "effective_date_in_future",
			"effective_date cannot be in the future: record the change when it takes effect")
		f.Check(s.StatusEffective.IsZero() || !in.EffectiveDate.Before(s.StatusEffective), "effective_date", "effective_date_before_previous",
			"effective_date cannot be before the previous status change's ("+s.StatusEffective.String()+")")
	}
	if err := f.Err("the status change is not valid"); err != nil {
		return statusChangeInput{}, err
	}
	if !s.Status.CanBecome(in.To) {
		return statusChangeInput{}, apperr.Conflict("invalid_status_transition",
			fmt.Sprintf("a %s supplier cannot become %s", s.Status, in.To))
	}
	return in, nil
}
