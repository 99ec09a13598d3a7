package contracts

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/money"
)

// validContract returns a contract that passes Validate, with the edit applied.
func validContract(t *testing.T, edit func(*Contract)) Contract {
	t.Helper()
	c := Contract{
		Reference: "ACC-J-01", ContractTypeCode: "ACC", Area: Area{RegionCode: "J"},
		Eligibility: Eligibility{Sexes: []Sex{SexMale, SexFemale}, MinAge: 18, Settings: []Setting{SettingCommunity}},
		Start:       date(t, "2024-04-01"), End: date(t, "2025-03-31"),
		WindowOpens: date(t, "2024-04-01"), WindowCloses: date(t, "2025-03-31"),
	}
	if edit != nil {
		edit(&c)
	}
	return c
}

func intPtr(n int) *int { return &n }

func TestContractStateOn(t *testing.T) {
	t.Parallel()
	plain := validContract(t, nil)
	extended := validContract(t, func(c *Contract) {
		c.Extensions = []Extension{
			{Number: 1, Start: date(t, "2025-04-01"), End: date(t, "2025-09-30"), Taken: true},
			{Number: 2, Start: date(t, "2025-10-01"), End: date(t, "2026-03-31")},
		}
	})
	cases := []struct {
		name string
		c    Contract
		day  string
		want State
	}{
		{"the day before the start", plain, "2024-03-31", StatePending},
		{"the start date", plain, "2024-04-01", StateLive},
		{"the end date", plain, "2025-03-31", StateLive},
		{"the day after the end", plain, "2025-04-01", StateEnded},
		{"inside a taken extension", extended, "2025-09-30", StateLive},
		{"inside an extension not taken", extended, "2025-10-01", StateEnded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.c.StateOn(date(t, tc.day)); got != tc.want {
				t.Errorf("StateOn(%s) = %s, want %s", tc.day, got, tc.want)
			}
		})
	}
	if got := extended.EffectiveEnd(); got != date(t, "2025-09-30") {
		t.Errorf("EffectiveEnd = %s, want 2025-09-30", got)
	}
	if years, err := extended.Years(); err != nil || len(years) != 2 || !years[1].PartYear || years[1].Days != 183 {
		t.Errorf("Years = %+v, %v", years, err)
	}
}

func TestContractValidate(t *testing.T) {
	t.Parallel()
	if err := validContract(t, nil).Validate(); err != nil {
		t.Fatalf("valid contract: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Contract)
		want []string
	}{
		{"no reference", func(c *Contract) { c.Reference = "" }, []string{"reference reference_required"}},
		{"a reference of 31 characters", func(c *Contract) { c.Reference = "ABCDEFGHIJABCDEFGHIJABCDEFGHIJK" }, []string{"reference reference_too_long"}},
		{"no contract type", func(c *Contract) { c.ContractTypeCode = "" }, []string{"contract_type_code required"}},
		{"a share without a co-commissioner", func(c *Contract) { c.CoCommissionerShareBP = intPtr(100) }, []string{"co_commissioner_name co_commissioner_name_required"}},
		{"a share over 100 %", func(c *Contract) { c.CoCommissionerName, c.CoCommissionerShareBP = "Mayor", intPtr(10001) },
			[]string{"co_commissioner_share_bp co_commissioner_share_out_of_range"}},
		{"a share of exactly 100 %", func(c *Contract) { c.CoCommissionerName, c.CoCommissionerShareBP = "Mayor", intPtr(10000) }, nil},
		{"no sex and no setting", func(c *Contract) { c.Eligibility.Sexes, c.Eligibility.Settings = nil, nil },
			[]string{"eligibility.sexes sex_required", "eligibility.settings setting_required"}},
		{"a sex twice and an unknown setting", func(c *Contract) {
			c.Eligibility.Sexes = []Sex{SexFemale, SexFemale}
			c.Eligibility.Settings = []Setting{"probation"}
		}, []string{"eligibility.sexes[1] sex_duplicate", "eligibility.settings[0] setting_unknown"}},
		{"ages", func(c *Contract) { c.Eligibility.MinAge, c.Eligibility.MaxAge = 17, intPtr(16) },
			[]string{"eligibility.min_age min_age_below_18", "eligibility.max_age max_age_below_min_age"}},
		{"end before start", func(c *Contract) { c.End = date(t, "2024-03-31") }, []string{"end_date end_before_start"}},
		{"window outside the contract", func(c *Contract) { c.WindowOpens, c.WindowCloses = date(t, "2024-03-31"), date(t, "2025-04-01") },
			[]string{"referral_window_opens window_outside_contract", "referral_window_closes window_outside_contract"}},
		{"window closing before it opens", func(c *Contract) { c.WindowOpens, c.WindowCloses = date(t, "2024-06-01"), date(t, "2024-05-31") },
			[]string{"referral_window_closes window_closes_before_opens"}},
		{"extensions not contiguous and ending before they start", func(c *Contract) {
			c.Extensions = []Extension{{Number: 1, Start: date(t, "2025-04-02"), End: date(t, "2025-04-01")}}
		}, []string{"extensions[0].start_date extension_not_contiguous", "extensions[0].end_date end_before_start"}},
		{"the window may close in a taken extension", func(c *Contract) {
			c.Extensions = []Extension{{Number: 1, Start: date(t, "2025-04-01"), End: date(t, "2025-09-30"), Taken: true}}
			c.WindowCloses = date(t, "2025-09-30")
		}, nil},
		{"a bad mailbox and a long description", func(c *Contract) {
			c.ReferralMailbox = "Referrals <referrals@example.org>"
			c.Description = string(make([]byte, MaxDescriptionLength+1))
		}, []string{"referral_mailbox referral_mailbox_invalid", "description description_too_long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validContract(t, tc.edit).Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			requireFieldErrors(t, err, tc.want...)
		})
	}
}

func TestEligibilityAllows(t *testing.T) {
	t.Parallel()
	e := Eligibility{Sexes: []Sex{SexFemale}, MinAge: 21, MaxAge: intPtr(30), Settings: []Setting{SettingLicence, SettingPreRelease}}
	cases := []struct {
		sex     Sex
		age     int
		setting Setting
		want    bool
	}{
		{SexFemale, 21, SettingLicence, true},
		{SexFemale, 30, SettingPreRelease, true},
		{SexMale, 25, SettingLicence, false},
		{SexFemale, 20, SettingLicence, false},
		{SexFemale, 31, SettingLicence, false},
		{SexFemale, 25, SettingCommunity, false},
	}
	for _, tc := range cases {
		if got := e.Allows(tc.sex, tc.age, tc.setting); got != tc.want {
			t.Errorf("Allows(%s, %d, %s) = %v, want %v", tc.sex, tc.age, tc.setting, got, tc.want)
		}
	}
}

func TestBasisTimeline(t *testing.T) {
	t.Parallel()
	years, err := Years(date(t, "2024-06-26"), date(t, "2026-06-25"))
	if err != nil {
		t.Fatal(err)
	}
	bands := []Band{{1, 0, 400, money.Pounds(300000)}, {2, 401, 550, money.Pounds(380000)}, {3, 551, 700, money.Pounds(460000)}}
	at := func(minutes int) time.Time { return time.Date(2024, 6, 1, 0, minutes, 0, 0, time.UTC) }
	change := func(band int, from string, minutes int) BasisChange {
		return BasisChange{ID: uuid.New(), BandNumber: band, EffectiveFrom: date(t, from), ChangedAt: at(minutes)}
	}
	superseded := change(1, "2024-06-26", 0)
	superseded.SupersededAt = new(at(5))

	type period struct {
		from string
		band int
	}
	cases := []struct {
		name    string
		history []BasisChange
		want    []period
	}{
		{"no basis band", nil, nil},
		{"one from the start", []BasisChange{change(3, "2024-06-26", 1)}, []period{{"2024-06-26", 3}}},
		{"a change from a month", []BasisChange{change(3, "2024-06-26", 1), change(2, "2024-11-01", 2)}, []period{{"2024-06-26", 3}, {"2024-11-01", 2}}},
		{"the latest recorded wins for a date", []BasisChange{change(3, "2024-11-01", 3), change(1, "2024-06-26", 1), change(2, "2024-11-01", 2)},
			[]period{{"2024-06-26", 1}, {"2024-11-01", 3}}},
		{"superseded changes do not count", []BasisChange{superseded, change(2, "2024-06-26", 6)}, []period{{"2024-06-26", 2}}},
		{"changes from before the start fold into the start", []BasisChange{change(1, "2024-01-01", 1), change(2, "2024-03-01", 2)}, []period{{"2024-06-26", 2}}},
		{"the earliest moves to the start when none is that early", []BasisChange{change(2, "2024-09-01", 1)}, []period{{"2024-06-26", 2}}},
		{"changes after the year are dropped", []BasisChange{change(3, "2024-06-26", 1), change(1, "2025-07-01", 2)}, []period{{"2024-06-26", 3}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			y := YearDetail{Year: years[0], Bands: bands, BasisHistory: tc.history}
			got := y.BasisTimeline()
			if len(got) != len(tc.want) {
				t.Fatalf("timeline = %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].From.String() != w.from || got[i].Band.Number != w.band || got[i].Band.AnnualPrice == 0 {
					t.Errorf("period %d = %s band %d, want %s band %d", i, got[i].From, got[i].Band.Number, w.from, w.band)
				}
			}
		})
	}

	y := YearDetail{Year: years[0], Bands: bands, BasisHistory: []BasisChange{change(3, "2024-06-26", 1), change(2, "2024-11-01", 2)}}
	for day, want := range map[string]int{"2024-01-01": 3, "2024-10-31": 3, "2024-11-01": 2, "2030-01-01": 2} {
		if p, ok := y.BasisOn(date(t, day)); !ok || p.Band.Number != want {
			t.Errorf("BasisOn(%s) = band %d (%v), want %d", day, p.Band.Number, ok, want)
		}
	}
	if _, ok := (YearDetail{Year: years[0], Bands: bands}).BasisOn(date(t, "2024-07-01")); ok {
		t.Error("BasisOn with no basis band reported one")
	}
	capped := YearDetail{Year: years[0], Bands: bands, CapVariations: []CapVariation{{NewCap: 750}, {NewCap: 720}}}
	if capped.Cap() != 700 || capped.EffectiveCap() != 720 {
		t.Errorf("Cap %d, EffectiveCap %d; want 700, 720", capped.Cap(), capped.EffectiveCap())
	}
}

func TestShareText(t *testing.T) {
	t.Parallel()
	for bp, want := range map[int]string{0: "0.00", 5: "0.05", 2500: "25.00", 3333: "33.33", 10000: "100.00"} {
		if got := ShareText(bp); got != want {
			t.Errorf("ShareText(%d) = %q, want %q", bp, got, want)
		}
	}
}
