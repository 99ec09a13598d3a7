package returns_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/payments"
	"github.com/crsplatform/crs/payments/returns"
	"github.com/crsplatform/crs/payments/volumes"
)

type testBundle struct {
	env      *apitest.Env
	svc      *returns.Service
	payments *payments.Service
	admin    apitest.User
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	env := apitest.New(t)
	clock := func() time.Time { return env.Now() }
	pay := payments.NewService(env.DB.Gorm, payments.Config{Inserter: env.Inserter, Now: clock})
	svc := returns.NewService(env.DB.Gorm, returns.Config{Pool: env.DB.Pool, Reference: env.Ref, Payments: pay, Inserter: env.Inserter, Now: clock})
	returns.Register(env.Server.API, returns.NewHandler(svc))
	payments.Register(env.Server.API, payments.NewHandler(pay))
	return &testBundle{env: env, svc: svc, payments: pay, admin: env.Admin()}
}

// paidRequest inserts a paid monthly payment request.
func (b *testBundle) request(t *testing.T, contract uuid.UUID, month calendar.Month, amount int64, status string, paidOn calendar.Date) {
	t.Helper()
	var paid *calendar.Date
	if !paidOn.IsZero() {
		paid = &paidOn
	}
	submitted := month.Last().AddDays(3).Time().Add(10 * time.Hour)
	err := b.env.DB.Gorm.Exec(`INSERT INTO payment_requests (id, contract_id, region_code, kind, period, amount_pence, invoice_reference, status,
			submitted_by, submitted_at, valid_at, decided_by, decided_at, paid_on, version, created_at, updated_at)
		VALUES (?, ?, 'J', 'MONTHLY', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		ids.New(), contract, month.First(), amount, "INV-"+month.String(), status, b.admin.ID, submitted, submitted, b.admin.ID, submitted.Add(48*time.Hour),
		paid, submitted, submitted).Error
	if err != nil {
		t.Fatal(err)
	}
}

func rawRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

// rowWhere returns the first row whose column col equals value, with the header index.
func rowWhere(t *testing.T, rows [][]string, header, value string) map[string]string {
	t.Helper()
	hi := slices.Index(rows[0], header)
	for _, r := range rows[1:] {
		if hi < len(r) && r[hi] == value {
			m := map[string]string{}
			for i, h := range rows[0] {
				if i < len(r) {
					m[h] = r[i]
				}
			}
			return m
		}
	}
	t.Fatalf("no row with %s = %s in %v", header, value, rows)
	return nil
}

func daysInclusive(a, b calendar.Date) int { return int(b.Time().Sub(a.Time()).Hours()/24) + 1 }

// TestRegionalReturnFiguresAreRight builds a known dataset, requests the region's return for last
// month, reads the workbook back and checks its figures against values computed here independently:
// the DOMAIN worked example of bands, money to the penny and counts exact.
func TestRegionalReturnFiguresAreRight(t *testing.T) {
	t.Parallel()
	b := setup(t)
	db := b.env.DB.Gorm
	today := calendar.Today(b.env.Now())
	period := today.CalendarMonth().Prev()
	// Contract year 1 is the twelve complete months ending three months before the period ends;
	// contract year 2 is in progress through the period.
	start := period.AddMonths(-14).First()
	cy1End := start.AddYears(1).AddDays(-1)
	cy2Start := cy1End.AddDays(1)
	asOf := period.Last()

	contract := factory.Contract(t, db, factory.ContractOpts{Reference: "ACC-J-RETURN", Start: start, Bands: factory.WorkedExample, BasisBand: 3})
	other := factory.Contract(t, db, factory.ContractOpts{Reference: "ACC-K-ELSEWHERE", Region: "K", Start: start})
	factory.Referrals(t, db, other, factory.ReferralOpts{SentOn: asOf, Count: 9})

	// Year 1: 380 counted referrals (band 1 of the worked example) and 3 withdrawn as ineligible.
	factory.Referrals(t, db, contract, factory.ReferralOpts{SentOn: start.AddDays(40), Count: 200})
	factory.Referrals(t, db, contract, factory.ReferralOpts{SentOn: start.AddDays(200), Count: 180, Complexity: "HIGH"})
	factory.Referrals(t, db, contract, factory.ReferralOpts{SentOn: start.AddDays(201), Count: 3, WithdrawalReason: "INE"})
	// Year 2 up to the period's end: 50, 60 and 70 a month, 2 more withdrawn as a mistake, and a draft.
	months := []calendar.Month{period.AddMonths(-2), period.AddMonths(-1), period}
	perMonth := []int{50, 60, 70}
	for i, m := range months {
		factory.Referrals(t, db, contract, factory.ReferralOpts{SentOn: m.First().AddDays(9), Count: perMonth[i], Complexity: []string{"LOW", "MEDIUM", "HIGH"}[i]})
	}
	factory.Referrals(t, db, contract, factory.ReferralOpts{SentOn: period.First().AddDays(12), Count: 2, WithdrawalReason: "MIS"})
	factory.Referrals(t, db, contract, factory.ReferralOpts{Draft: true})
	if !months[0].First().Equal(cy2Start) {
		t.Fatalf("test arithmetic: year 2 starts %s, first month %s", cy2Start, months[0])
	}

	// Year 1 paid in full at basis band 3: £460,000 over twelve whole months, £38,333.33 each and the
	// remainder in the last (DOMAIN: £38,333.37).
	const annual = int64(46_000_000)
	monthly, last := annual/12, annual-11*(annual/12)
	if last != 3_833_337 {
		t.Fatalf("test arithmetic: last month %d", last)
	}
	for i, m := 0, start.CalendarMonth(); i < 12; i, m = i+1, m.Next() {
		amount := monthly
		if i == 11 {
			amount = last
		}
		b.request(t, contract, m, amount, "PAID", m.Last().AddDays(20))
	}
	// Year 2: the first month paid, the second approved and not yet paid.
	b.request(t, contract, months[0], monthly, "PAID", months[0].Last().AddDays(15))
	b.request(t, contract, months[1], monthly, "APPROVED", calendar.Date{})

	commissioner := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J"}})
	var ret struct {
		ID     uuid.UUID `json:"id"`
		Status string    `json:"status"`
	}
	b.env.Post(commissioner.Token, "/api/v1/returns", map[string]any{"scope": "region", "region": "J", "period": period.String()}).
		Expect(http.StatusAccepted).JSON(&ret)
	if ret.Status != "queued" {
		t.Fatalf("new return status %q", ret.Status)
	}
	var jobs int64
	db.Table("river_job").Where("kind = 'build_return' AND args->>'return_id' = ?", ret.ID.String()).Count(&jobs)
	if jobs != 1 {
		t.Fatalf("%d build jobs for the return", jobs)
	}
	if err := b.svc.Build(context.Background(), ret.ID, 1); err != nil {
		t.Fatalf("build: %v", err)
	}
	var got struct {
		Status   string `json:"status"`
		FileName string `json:"file_name"`
	}
	b.env.Get(commissioner.Token, "/api/v1/returns/"+ret.ID.String()).Expect(http.StatusOK).JSON(&got)
	wantName := fmt.Sprintf("crs-return-region-J-london-%s.xlsx", period)
	if got.Status != "ready" || got.FileName != wantName {
		t.Fatalf("return %+v, want ready as %s", got, wantName)
	}
	dl := b.env.Get(commissioner.Token, "/api/v1/returns/"+ret.ID.String()+"/download").Expect(http.StatusOK)
	if cd := dl.Header.Get("Content-Disposition"); cd != `attachment; filename="`+wantName+`"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(dl.Body))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()

	wantSheets := []string{"ReadMe", "Summary", "Bands", "Monthly volumes", "Payments", "Queries", "Reconciliation", "Supply chain", "Referrals", "Alerts", "Checks"}
	if !slices.Equal(f.GetSheetList(), wantSheets) {
		t.Fatalf("sheets %v, want %v", f.GetSheetList(), wantSheets)
	}

	// Summary: year 2 as at the period's end.
	summary := rawRows(t, f, "Summary")
	if len(summary) != 2 {
		t.Fatalf("summary has %d contract rows, want only the region's one", len(summary)-1)
	}
	s := rowWhere(t, summary, "Contract reference", "ACC-J-RETURN")
	counted := 50 + 60 + 70
	elapsed := daysInclusive(cy2Start, asOf)
	yearDays := daysInclusive(cy2Start, cy2Start.AddYears(1).AddDays(-1))
	projected := counted * yearDays / elapsed
	want := map[string]string{
		"Contract year": "2", "Payment basis band": "3", "Counted YTD": strconv.Itoa(counted), "Projected": strconv.Itoa(projected),
		"Days elapsed": strconv.Itoa(elapsed), "Cap": "850", "Status": "AMBER", "Annual value": "460000", "Year value": "460000",
		"Paid YTD": fmt.Sprintf("%d.%02d", monthly/100, monthly%100), "Prime type": "VCSE", "Indicated band": "4",
	}
	if projected < 701 || projected > 850 {
		t.Fatalf("test arithmetic: projected %d is not in band 4", projected)
	}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("Summary %q = %q, want %q", k, s[k], v)
		}
	}
	if pct := s["% of cap"]; pct != strconv.FormatFloat(float64(counted*10000/850)/10000, 'f', -1, 64) {
		t.Errorf("Summary %% of cap = %q", pct)
	}

	// The Summary agrees with the volumes API as of the same day.
	var vols struct {
		Current struct {
			CountedYTD int  `json:"counted_ytd"`
			Projected  *int `json:"projected"`
		} `json:"current"`
	}
	b.env.Get(commissioner.Token, "/api/v1/contracts/"+contract.String()+"/volumes?as_of="+asOf.String()).Expect(http.StatusOK).JSON(&vols)
	if vols.Current.CountedYTD != counted || vols.Current.Projected == nil || *vols.Current.Projected != projected {
		t.Errorf("API volumes %+v differ from the Summary", vols.Current)
	}

	// Bands: the worked example for each contract year.
	bands := rawRows(t, f, "Bands")
	b3 := 0
	for _, r := range bands[1:] {
		if r[0] == "ACC-J-RETURN" && r[5] == "3" {
			b3++
			if r[6] != "551" || r[7] != "700" || r[8] != "460000" || r[9] != "Yes" {
				t.Errorf("band 3 row %v", r)
			}
		}
	}
	if b3 < 2 {
		t.Errorf("band 3 appears for %d years", b3)
	}

	// Monthly volumes: one row per month of year 2 with the month's count and complexity split.
	monthlyRows := rawRows(t, f, "Monthly volumes")
	if len(monthlyRows)-1 != 3 {
		t.Fatalf("%d monthly rows, want 3", len(monthlyRows)-1)
	}
	hdr := monthlyRows[0]
	for i, r := range monthlyRows[1:] {
		if r[slices.Index(hdr, "Referrals")] != strconv.Itoa(perMonth[i]) ||
			r[slices.Index(hdr, "Accommodation")] != strconv.Itoa(perMonth[i]) ||
			r[slices.Index(hdr, "Complexity "+[]string{"LOW", "MEDIUM", "HIGH"}[i])] != strconv.Itoa(perMonth[i]) {
			t.Errorf("monthly row %d: %v", i, r)
		}
	}

	// Reconciliation: year 1 binds to band 1 (380 < 401) and the supplier was paid £160,000 too much.
	rec := rowWhere(t, rawRows(t, f, "Reconciliation"), "Contract year", "1")
	for k, v := range map[string]string{"Counted volume": "380", "Binding band": "1", "Over-cap referrals": "0", "Price": "300000",
		"Entitlements paid": "460000", "Balance": "-160000", "Rule applied": volumes.RuleWithinBand} {
		if rec[k] != v {
			t.Errorf("Reconciliation %q = %q, want %q", k, rec[k], v)
		}
	}

	// Payments: the period's requests and the year to date, with their amounts.
	pay := rowWhere(t, rawRows(t, f, "Payments"), "Status", "APPROVED")
	if pay["Amount"] != "38333.33" || pay["Contract reference"] != "ACC-J-RETURN" {
		t.Errorf("approved request row %v", pay)
	}

	// Referrals: the period's 72 sent referrals (2 of which do not count), pseudonymised.
	refs := rawRows(t, f, "Referrals")
	if len(refs)-1 != 72 {
		t.Errorf("%d referral rows, want 72", len(refs)-1)
	}
	for _, h := range refs[0] {
		if h == "CRN" || h == "Name" {
			t.Errorf("the Referrals sheet shows %s", h)
		}
	}
	notCounted := 0
	for _, r := range refs[1:] {
		if r[10] == "No" {
			notCounted++
		}
		if len(r[0]) != 8 {
			t.Errorf("referral reference %q", r[0])
		}
	}
	if notCounted != 2 {
		t.Errorf("%d referral rows not counted, want 2", notCounted)
	}

	// Checks: every automatic check passes.
	checks := rawRows(t, f, "Checks")
	if len(checks) < 4 {
		t.Fatalf("only %d checks", len(checks)-1)
	}
	for _, r := range checks[1:] {
		if r[4] != "PASS" {
			t.Errorf("check failed: %v", r)
		}
	}

	// Headers are frozen and every sheet is a filterable table.
	for _, sh := range wantSheets[1:] {
		panes, err := f.GetPanes(sh)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("sheet %s panes %+v %v", sh, panes, err)
		}
		tables, err := f.GetTables(sh)
		if err != nil || len(tables) != 1 {
			t.Errorf("sheet %s tables %v %v", sh, tables, err)
		}
	}

	// The workbook opens in LibreOffice without errors.
	openInLibreOffice(t, dl.Body)
}

// openInLibreOffice converts the workbook with LibreOffice headless and fails unless it succeeds.
func openInLibreOffice(t *testing.T, workbook []byte) {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatalf("LibreOffice (soffice) is needed to check the workbook: apt-get install libreoffice-calc (.ci/run installs it)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "return.xlsx")
	if err := os.WriteFile(in, workbook, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "csv", "--outdir", dir, in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "return.csv"))
	if err != nil || !bytes.Contains(csv, []byte("Commissioned Rehabilitative Services")) {
		t.Fatalf("LibreOffice did not convert the workbook: %v\n%s", err, out)
	}
}

func TestReturnRequestsAndScope(t *testing.T) {
	t.Parallel()
	b := setup(t)
	commissioner := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J"}})
	practitioner := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
	period := calendar.Today(b.env.Now()).CalendarMonth().Prev().String()
	cases := []struct {
		body  map[string]any
		field string
		code  string
	}{
		{map[string]any{"scope": "global", "period": period}, "scope", "invalid_scope"},
		{map[string]any{"scope": "region", "period": period}, "region", "region_required"},
		{map[string]any{"scope": "region", "region": "Z", "period": period}, "region", "unknown_region"},
		{map[string]any{"scope": "national", "region": "J", "period": period}, "region", "region_not_allowed"},
		{map[string]any{"scope": "national", "period": "2026-13"}, "period", "invalid_period"},
		{map[string]any{"scope": "national", "period": "2999-01"}, "period", "period_in_future"},
	}
	for _, c := range cases {
		p := b.env.Post(b.admin.Token, "/api/v1/returns", c.body).ExpectProblem(http.StatusBadRequest, c.code)
		if !apitest.HasFieldError(p, c.field, c.code) {
			t.Errorf("%v: %+v", c.body, p.Errors)
		}
	}
	b.env.Post(commissioner.Token, "/api/v1/returns", map[string]any{"scope": "national", "period": period}).ExpectProblem(http.StatusForbidden, "national_return_not_allowed")
	b.env.Post(commissioner.Token, "/api/v1/returns", map[string]any{"scope": "region", "region": "K", "period": period}).ExpectProblem(http.StatusForbidden, "region_not_in_scope")
	b.env.Post(practitioner.Token, "/api/v1/returns", map[string]any{"scope": "region", "region": "J", "period": period}).ExpectProblem(http.StatusForbidden, "role_not_allowed")

	var national, regionK struct {
		ID uuid.UUID `json:"id"`
	}
	b.env.Post(b.admin.Token, "/api/v1/returns", map[string]any{"scope": "national", "period": period}).Expect(http.StatusAccepted).JSON(&national)
	b.env.Post(b.admin.Token, "/api/v1/returns", map[string]any{"scope": "region", "region": "K", "period": period}).Expect(http.StatusAccepted).JSON(&regionK)
	b.env.Get(commissioner.Token, "/api/v1/returns/"+national.ID.String()).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Get(commissioner.Token, "/api/v1/returns/"+regionK.ID.String()).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Get(b.admin.Token, "/api/v1/returns/"+national.ID.String()+"/download").ExpectProblem(http.StatusConflict, "return_not_ready")
	var list struct {
		Items []struct{ ID uuid.UUID } `json:"items"`
	}
	b.env.Get(commissioner.Token, "/api/v1/returns").Expect(http.StatusOK).JSON(&list)
	if len(list.Items) != 0 {
		t.Fatalf("commissioner of J sees %d returns of other scopes", len(list.Items))
	}
	b.env.Get(b.admin.Token, "/api/v1/returns").Expect(http.StatusOK).JSON(&list)
	if len(list.Items) != 2 {
		t.Fatalf("admin sees %d returns, want 2", len(list.Items))
	}
}
