package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/config"
	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/referrals"
)

// demoTestScale is the share of the full demo's referrals the tests load: every state and every rule
// of the full demo appears at this size, and the volume checks below scale with it. The full size is
// loaded by `crs dev` and measured by BenchmarkSeedDemo.
const demoTestScale = 0.05

// TestSeedDemoReferrals seeds the demo dataset into a fresh database and checks its referrals: about
// twelve months of them in every state, sized as DOMAIN describes (at demoTestScale of the full
// volumes), consistent with what each status implies, and readable through the API by every demo
// account.
func TestSeedDemoReferrals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, ownerURL := dbtest.URLs(t)
	code, out, stderr := runCmd(t, map[string]string{"DATABASE_URL": dbURL, "CRS_MIGRATE_DATABASE_URL": ownerURL}, "", "seed", "demo", "--scale", fmt.Sprint(demoTestScale))
	if code != 0 || !strings.Contains(out, "prime@demo.test") {
		t.Fatalf("seed demo: %d %q %q", code, out, stderr)
	}
	d, err := db.Open(ctx, db.Config{URL: dbURL, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	scalar := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := d.Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
			t.Fatalf("%v\n%s", err, query)
		}
		return n
	}

	// Counts by status and end state.
	var byStatus []struct {
		Status   string
		EndState string
		N        int
	}
	if err := d.Gorm.Raw(`SELECT status, coalesce(end_state, '') AS end_state, count(*) AS n FROM referrals GROUP BY 1, 2 ORDER BY 1, 2`).Scan(&byStatus).Error; err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	sent := 0
	for _, s := range byStatus {
		t.Logf("%-32s %-18s %6d", s.Status, s.EndState, s.N)
		counts[s.Status] += s.N
		counts[s.EndState] += s.N
		if s.Status != "DRAFT" {
			sent += s.N
		}
	}
	spanDays := scalar(`SELECT (max(sent_on) - min(sent_on)) + 1 FROM referrals WHERE sent_on IS NOT NULL`)
	if spanDays < 365 {
		t.Errorf("referrals span %d days, want at least twelve months", spanDays)
	}
	if annual := int(float64(sent*365/spanDays) / demoTestScale); annual < 70000 || annual > 90000 {
		t.Errorf("%d referrals sent in %d days at scale %g, %d a year at full size; DOMAIN's national total is 70,000 to 90,000 a year",
			sent, spanDays, demoTestScale, annual)
	}
	for _, st := range referrals.Statuses() {
		if counts[string(st)] == 0 {
			t.Errorf("no referral is %s", st)
		}
	}
	if counts["CONCLUDED"] < sent/2 {
		t.Errorf("only %d of %d referrals concluded; older ones should mostly have", counts["CONCLUDED"], sent)
	}
	for _, e := range []string{"COMPLETED", "PREMATURELY_ENDED", "CANCELLED"} {
		if counts[e] == 0 {
			t.Errorf("no referral ended %s", e)
		}
	}
	cancelled := scalar(`SELECT count(*) FROM referrals WHERE end_state = 'CANCELLED' AND withdrawal_reason_code IS NOT NULL`)
	if share := float64(cancelled) / float64(sent); share < 0.20 || share > 0.30 {
		t.Errorf("%.1f %% withdrawn before the first session, want about a quarter", 100*share)
	} else {
		t.Logf("withdrawn before the first session: %d (%.1f %%)", cancelled, 100*share)
	}
	if n := scalar(`SELECT count(*) FROM referrals r WHERE end_state = 'CANCELLED' AND (withdrawn_at IS NULL
			OR EXISTS (SELECT 1 FROM appointments a WHERE a.referral_id = r.id AND a.kind = 'SESSION' AND a.attendance IN ('YES', 'LATE')))`); n > 0 {
		t.Errorf("%d cancelled referrals were not withdrawn before a session", n)
	}
	notCounted := scalar(`SELECT count(*) FROM referrals WHERE status <> 'DRAFT' AND NOT counted`)
	if bad := scalar(`SELECT count(*) FROM referrals WHERE status <> 'DRAFT' AND counted = coalesce(withdrawal_reason_code IN ('INE', 'MIS'), false)`); bad > 0 || notCounted == 0 {
		t.Errorf("%d referrals count wrongly; %d do not count (INE/MIS)", bad, notCounted)
	}
	t.Logf("sent %d, counted %d, not counted (INE/MIS) %d", sent, sent-notCounted, notCounted)

	// Sent from the start of the previous contract year (at most 18 months back) up to yesterday,
	// working days weighted.
	today := calendar.BusinessDay(time.Now())
	var span struct{ First, Last calendar.Date }
	if err := d.Gorm.Raw(`SELECT min(sent_on) AS first, max(sent_on) AS last FROM referrals`).Scan(&span).Error; err != nil {
		t.Fatal(err)
	}
	if span.First.After(today.AddYears(-1)) || span.First.Before(today.AddDays(-550)) || !span.Last.Before(today) {
		t.Errorf("referrals sent from %s to %s; want from the previous contract year's start up to yesterday (%s)", span.First, span.Last, today.AddDays(-1))
	}
	var days []struct {
		SentOn calendar.Date
		N      int
	}
	if err := d.Gorm.Raw(`SELECT sent_on, count(*) AS n FROM referrals WHERE sent_on IS NOT NULL GROUP BY 1`).Scan(&days).Error; err != nil {
		t.Fatal(err)
	}
	var working, other, nWorking, nOther int
	for _, x := range days {
		if calendar.IsWorkingDay(x.SentOn) {
			working, nWorking = working+x.N, nWorking+1
		} else {
			other, nOther = other+x.N, nOther+1
		}
	}
	if nOther > 0 && float64(other)/float64(max(nOther, 1)) > 0.2*float64(working)/float64(nWorking) {
		t.Errorf("%d referrals on %d non-working days against %d on %d working days: weekends should be quiet", other, nOther, working, nWorking)
	}

	// Each contract's counted volume is 50 % to 110 % of its estimate (the basis band's top of a
	// four-band table, or the single band's cap / 1.1).
	var volumes []struct {
		Reference string
		Counted   int
		Estimate  float64
	}
	if err := d.Gorm.Raw(`SELECT c.reference,
			(SELECT count(*) FROM referrals r WHERE r.contract_id = c.id AND r.counted) AS counted,
			CASE WHEN (SELECT count(*) FROM contract_bands b WHERE b.contract_id = c.id AND b.year_number = 1) = 4
				THEN (SELECT high FROM contract_bands b WHERE b.contract_id = c.id AND b.year_number = 1 AND band_number = 3)
				ELSE (SELECT high FROM contract_bands b WHERE b.contract_id = c.id AND b.year_number = 1 AND band_number = 1) / 1.1 END AS estimate
		FROM contracts c ORDER BY c.reference`).Scan(&volumes).Error; err != nil {
		t.Fatal(err)
	}
	if len(volumes) != 112 {
		t.Fatalf("%d contracts", len(volumes))
	}
	under := 0
	for _, v := range volumes {
		ratio := float64(v.Counted) / (v.Estimate * demoTestScale * float64(spanDays) / 365) // against the pro-rata estimate
		if ratio < 0.495 || ratio > 1.105 {
			t.Errorf("contract %s counted %d referrals in %d days against an annual estimate of %.0f (%.0f %%)", v.Reference, v.Counted, spanDays, v.Estimate, 100*ratio)
		}
		if ratio < 1 {
			under++
		}
	}
	if under < len(volumes)/3 {
		t.Errorf("only %d of %d contracts under their estimate; under-use is common", under, len(volumes))
	}

	// References, CRNs and what each status implies.
	checks := map[string]string{
		"duplicate references": `SELECT count(*) - count(DISTINCT reference) FROM referrals WHERE reference IS NOT NULL`,
		"reference not of the contract type": `SELECT count(*) FROM referrals r JOIN contracts c ON c.id = r.contract_id
			WHERE r.reference IS NOT NULL AND right(r.reference, 2) <> left(c.contract_type_code, 2)`,
		"sent without a reference or date":  `SELECT count(*) FROM referrals WHERE status <> 'DRAFT' AND (reference IS NULL OR sent_on IS NULL OR assessment_due_on IS NULL)`,
		"sent_on not sent_at's London date": `SELECT count(*) FROM referrals WHERE sent_on <> (sent_at AT TIME ZONE 'Europe/London')::date`,
		"region not the contract's":         `SELECT count(*) FROM referrals r JOIN contracts c ON c.id = r.contract_id WHERE r.region_code <> c.region_code`,
		"person not eligible": `SELECT count(*) FROM referrals r JOIN contracts c ON c.id = r.contract_id WHERE r.status <> 'DRAFT' AND (
			NOT (r.person_sex = ANY(c.sexes)) OR date_part('year', age(r.sent_on, r.person_date_of_birth)) < c.min_age
			OR date_part('year', age(r.sent_on, r.person_date_of_birth)) > coalesce(c.max_age, 200))`,
		"PCC area outside the contract": `SELECT count(*) FROM referrals r JOIN contracts c ON c.id = r.contract_id JOIN pcc_areas p ON p.code = r.person_pcc_area_code
			WHERE p.region_code <> c.region_code OR (c.pcc_area_code IS NOT NULL AND c.pcc_area_code <> p.code)`,
		"sent without every required field": `SELECT count(*) FROM referrals WHERE status <> 'DRAFT' AND (person_first_name IS NULL OR person_last_name IS NULL
			OR person_date_of_birth IS NULL OR person_preferred_language IS NULL OR person_interpreter_needed IS NULL OR setting IS NULL
			OR person_pcc_area_code IS NULL OR max_enforceable_days IS NULL OR completion_deadline IS NULL OR reason_for_referral IS NULL
			OR risk_summary IS NULL OR (setting = 'PRE_RELEASE' AND (prison IS NULL OR expected_release_date IS NULL)))`,
		"without a service category": `SELECT count(*) FROM referrals r WHERE status <> 'DRAFT' AND NOT EXISTS (SELECT 1 FROM referral_service_categories s WHERE s.referral_id = r.id)`,
		"category without an outcome": `SELECT count(*) FROM referral_service_categories s WHERE complexity_level IS NULL OR NOT EXISTS (SELECT 1 FROM referral_desired_outcomes o
			WHERE o.referral_id = s.referral_id AND o.service_category_code = s.service_category_code)`,
		"category not of the contract type": `SELECT count(*) FROM referral_service_categories s JOIN referrals r ON r.id = s.referral_id JOIN contracts c ON c.id = r.contract_id
			WHERE NOT EXISTS (SELECT 1 FROM contract_type_categories t WHERE t.contract_type_code = c.contract_type_code AND t.service_category_code = s.service_category_code)`,
		"caseworker missing or outside the supply chain": `SELECT count(*) FROM referrals r JOIN contracts c ON c.id = r.contract_id LEFT JOIN users u ON u.id = r.caseworker_id
			WHERE r.status NOT IN ('DRAFT', 'SENT') AND r.withdrawn_at IS NULL AND (u.id IS NULL OR r.assigned_at IS NULL OR NOT (u.supplier_id = c.prime_supplier_id
				OR u.supplier_id IN (SELECT supplier_id FROM contract_subcontractors s WHERE s.contract_id = c.id AND s.removed_on IS NULL)))`,
		"sent with a caseworker": `SELECT count(*) FROM referrals WHERE status = 'SENT' AND caseworker_id IS NOT NULL`,
		"booked without an open assessment": `SELECT count(*) FROM referrals r WHERE status = 'ASSESSMENT_BOOKED' AND NOT EXISTS (SELECT 1 FROM appointments a
			WHERE a.referral_id = r.id AND a.kind = 'ASSESSMENT' AND a.attendance IS NULL)`,
		"assessed_on without an attended assessment": `SELECT count(*) FROM referrals r WHERE (assessed_on IS NOT NULL) <> EXISTS (SELECT 1 FROM appointments a
			WHERE a.referral_id = r.id AND a.kind = 'ASSESSMENT' AND a.attendance IN ('YES', 'LATE')
			AND (a.starts_at AT TIME ZONE 'Europe/London')::date = r.assessed_on)`,
		"assessed without an action plan due date": `SELECT count(*) FROM referrals WHERE (assessed_on IS NULL) <> (action_plan_due_on IS NULL)`,
		"plan status without a plan": `SELECT count(*) FROM referrals r WHERE (first_action_plan_submitted_at IS NOT NULL) <> EXISTS (SELECT 1 FROM action_plans p WHERE p.referral_id = r.id)
			OR (action_plan_approved_at IS NOT NULL) <> EXISTS (SELECT 1 FROM action_plans p WHERE p.referral_id = r.id AND p.approved_at IS NOT NULL)`,
		"sessions before approval": `SELECT count(*) FROM appointments a JOIN referrals r ON r.id = a.referral_id WHERE a.kind = 'SESSION'
			AND (r.action_plan_approved_at IS NULL OR a.created_at < r.action_plan_approved_at)`,
		"delivery status without a recorded session": `SELECT count(*) FROM referrals r WHERE status = 'IN_DELIVERY' AND NOT EXISTS (SELECT 1 FROM appointments a
			WHERE a.referral_id = r.id AND a.kind = 'SESSION' AND a.attendance IS NOT NULL)`,
		"completed without every session": `SELECT count(*) FROM referrals r WHERE end_state = 'COMPLETED' AND (SELECT count(DISTINCT session_number) FROM appointments a
			WHERE a.referral_id = r.id AND a.kind = 'SESSION' AND a.attendance IN ('YES', 'LATE')) <> (SELECT number_of_sessions FROM action_plans p
			WHERE p.referral_id = r.id AND p.approved_at IS NOT NULL)`,
		"ended without its dates": `SELECT count(*) FROM referrals WHERE (status = 'AWAITING_END_OF_SERVICE_REPORT' OR end_state IN ('COMPLETED', 'PREMATURELY_ENDED'))
			AND (ended_on IS NULL OR end_of_service_report_due_on IS NULL)`,
		"report missing or not rating every outcome": `SELECT count(*) FROM referrals r LEFT JOIN end_of_service_reports e ON e.referral_id = r.id
			WHERE (r.end_state IN ('COMPLETED', 'PREMATURELY_ENDED')) <> (e.referral_id IS NOT NULL)
			OR (e.referral_id IS NOT NULL AND (jsonb_array_length(e.outcomes) <> (SELECT count(*) FROM referral_desired_outcomes o WHERE o.referral_id = r.id)
				OR r.end_of_service_report_submitted_at IS DISTINCT FROM e.submitted_at))`,
		"concluded without its time": `SELECT count(*) FROM referrals WHERE (status = 'CONCLUDED') <> (concluded_at IS NOT NULL)`,
		"withdrawal incomplete":      `SELECT count(*) FROM referrals WHERE (withdrawn_at IS NULL) <> (withdrawal_reason_code IS NULL) OR (withdrawn_at IS NOT NULL AND ended_on IS NULL)`,
		"women's service for a man":  `SELECT count(*) FROM referrals r JOIN contracts c ON c.id = r.contract_id WHERE c.contract_type_code = 'WOS' AND r.person_sex <> 'FEMALE'`,
		"supplier action outside office hours": `SELECT count(*) FROM appointments WHERE (created_at AT TIME ZONE 'Europe/London')::time NOT BETWEEN '08:30' AND '18:30'
			OR (recorded_at AT TIME ZONE 'Europe/London')::time NOT BETWEEN '08:30' AND '18:30'`,
		"caseworkers not of their prime": `SELECT count(*) FROM users u WHERE u.email LIKE 'caseworker%' AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.prime_supplier_id = u.supplier_id)`,
		"event before sending": `SELECT count(*) FROM referrals WHERE assigned_at < sent_at OR first_action_plan_submitted_at < assigned_at OR concluded_at < sent_at
			OR withdrawn_at < sent_at OR created_at > sent_at OR updated_at > now()`,
	}
	for what, query := range checks {
		if n := scalar(query); n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
	// The due dates follow the working-day rules of the service.
	var dues []struct {
		SentOn, AssessmentDueOn, AssessedOn, ActionPlanDueOn calendar.Date
	}
	if err := d.Gorm.Raw(`SELECT sent_on, assessment_due_on, assessed_on, action_plan_due_on FROM referrals WHERE status <> 'DRAFT' ORDER BY id LIMIT 3000`).Scan(&dues).Error; err != nil {
		t.Fatal(err)
	}
	for _, x := range dues {
		if calendar.AddWorkingDays(x.SentOn, referrals.AssessmentWorkingDays) != x.AssessmentDueOn ||
			!x.AssessedOn.IsZero() && calendar.AddWorkingDays(x.AssessedOn, referrals.ActionPlanWorkingDays) != x.ActionPlanDueOn {
			t.Fatalf("due dates %+v do not follow the timeliness standards", x)
		}
	}

	// The API: every demo account lists its referrals; the demo prime sees every referral of its
	// contracts.
	base, stop := startServe(t, dbURL)
	defer stop()
	cfg, _ := config.Load(envOf(nil))
	tokens := map[string]string{}
	var caseworker string
	if err := d.Gorm.Raw(`SELECT email FROM users WHERE email LIKE 'caseworker1@%' ORDER BY email LIMIT 1`).Scan(&caseworker).Error; err != nil || caseworker == "" {
		t.Fatalf("no caseworker users: %v", err)
	}
	for _, email := range []string{caseworker, "admin@demo.test", "commissioner@demo.test", "practitioner@demo.test", "prime@demo.test", "subcontractor@demo.test", "other-supplier@demo.test"} {
		body := strings.NewReader(`{"email":"` + email + `","password":"` + cfg.DemoPassword + `"}`)
		resp, err := http.Post(base+"/api/v1/auth/token", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		var tok struct{ Token string }
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s sign-in: %d", email, resp.StatusCode)
		}
		tokens[email] = tok.Token
	}
	type item struct {
		ID        uuid.UUID `json:"id"`
		Reference *string   `json:"reference"`
		Status    string    `json:"status"`
	}
	get := func(email, path string, out any) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[email])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil && resp.StatusCode == http.StatusOK {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatalf("GET %s as %s: %v", path, email, err)
			}
		}
		return resp.StatusCode
	}
	type listPage struct {
		Items      []item  `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	queries := []string{"", "?limit=500", "?overdue=true", "?overdue=false&concluded=false", "?status=IN_DELIVERY,ASSESSMENT_BOOKED",
		"?sort=reference", "?sort=sent_at_asc&limit=20", "?concluded=true", "?unassigned=true", "?q=a", "?sent_from=" + today.AddDays(-30).String()}
	for email := range tokens {
		for _, q := range queries {
			var p listPage
			if code := get(email, "/referrals"+q, &p); code != http.StatusOK {
				t.Errorf("GET /referrals%s as %s: %d", q, email, code)
				continue
			}
			if q == "" && (len(p.Items) == 0 || p.NextCursor == nil) {
				t.Errorf("GET /referrals as %s: %d items, next cursor %v", email, len(p.Items), p.NextCursor)
			}
		}
	}
	for _, email := range []string{"prime@demo.test", "subcontractor@demo.test", "other-supplier@demo.test"} {
		var p listPage
		if code := get(email, "/referrals?assigned_to_me=true", &p); code != http.StatusOK || len(p.Items) == 0 {
			t.Errorf("%s has no referrals assigned (%d)", email, code)
		}
	}
	// Today's volume pictures count the demo referrals.
	var pictures struct {
		Items []struct {
			Reference  string `json:"contract_reference"`
			CountedYTD int    `json:"counted_ytd"`
			Status     string `json:"status"`
		} `json:"items"`
	}
	if code := get("admin@demo.test", "/volumes?limit=200", &pictures); code != http.StatusOK || len(pictures.Items) != 112 {
		t.Errorf("GET /volumes as admin: %d, %d pictures", code, len(pictures.Items))
	}
	statuses := map[string]int{}
	for _, p := range pictures.Items {
		statuses[p.Status]++
		if p.CountedYTD == 0 {
			t.Errorf("contract %s counts no referral this contract year", p.Reference)
		}
	}
	t.Logf("volume statuses today: %v", statuses)
	// Every referral on the demo prime's contracts (as prime or subcontractor), page by page.
	seen := map[uuid.UUID]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var p listPage
		path := "/referrals?limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if code := get("prime@demo.test", path, &p); code != http.StatusOK {
			t.Fatalf("GET %s as the demo prime: %d", path, code)
		}
		for _, it := range p.Items {
			seen[it.ID] = true
		}
		if p.NextCursor == nil || pages > 100 {
			break
		}
		cursor = *p.NextCursor
	}
	var primeIDs []uuid.UUID
	if err := d.Gorm.Raw(`SELECT r.id FROM referrals r JOIN contracts c ON c.id = r.contract_id JOIN users u ON u.email = 'prime@demo.test'
		WHERE r.status <> 'DRAFT' AND (c.prime_supplier_id = u.supplier_id OR EXISTS (SELECT 1 FROM contract_subcontractors s
			WHERE s.contract_id = c.id AND s.supplier_id = u.supplier_id AND s.removed_on IS NULL))`).Scan(&primeIDs).Error; err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range primeIDs {
		if !seen[id] {
			missing++
		}
	}
	if missing > 0 || len(seen) != len(primeIDs) || len(primeIDs) < int(3000*demoTestScale) {
		t.Errorf("the demo prime lists %d referrals; its contracts have %d (%d missing)", len(seen), len(primeIDs), missing)
	}
	t.Logf("the demo prime lists all %d referrals of its contracts", len(seen))
	// One referral of each status reads whole, with its history (empty for demo rows).
	var samples []struct {
		ID     uuid.UUID
		Status string
	}
	if err := d.Gorm.Raw(`SELECT DISTINCT ON (r.status, r.end_state) r.id, r.status FROM referrals r JOIN contracts c ON c.id = r.contract_id
		JOIN users u ON u.email = 'prime@demo.test' WHERE c.prime_supplier_id = u.supplier_id ORDER BY r.status, r.end_state, r.id`).Scan(&samples).Error; err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		var detail struct {
			Status     string `json:"status"`
			Timeliness struct {
				Items []struct {
					State string `json:"state"`
				} `json:"items"`
			} `json:"timeliness"`
		}
		email := "prime@demo.test"
		if s.Status == "DRAFT" {
			email = "practitioner@demo.test"
		}
		if code := get(email, fmt.Sprintf("/referrals/%s", s.ID), &detail); code != http.StatusOK || detail.Status != s.Status || len(detail.Timeliness.Items) != 3 {
			t.Errorf("GET /referrals/%s (%s): %d %+v", s.ID, s.Status, code, detail)
		}
		if code := get(email, fmt.Sprintf("/referrals/%s/history", s.ID), nil); code != http.StatusOK {
			t.Errorf("GET /referrals/%s/history: %d", s.ID, code)
		}
	}
}
