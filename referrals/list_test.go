package referrals_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/referrals"
)

type listPage struct {
	Items      []referrals.ReferralItem `json:"items"`
	NextCursor *string                  `json:"next_cursor"`
}

// list reads every page of a list query, limit items at a time.
func (b *testBundle) list(token, query string, limit int) []referrals.ReferralItem {
	b.env.T.Helper()
	var out []referrals.ReferralItem
	cursor := ""
	for range 100 {
		q, _ := url.ParseQuery(query)
		q.Set("limit", strconv.Itoa(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var p listPage
		b.env.Get(token, base+"?"+q.Encode()).Expect(http.StatusOK).JSON(&p)
		out = append(out, p.Items...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	b.env.T.Fatal("the list does not end")
	return nil
}

func idsOf(items []referrals.ReferralItem) []uuid.UUID {
	out := make([]uuid.UUID, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	kent := b.newContract(contractOpts{region: "K", prime: b.other})
	// Sent one hour apart, oldest first: a, c (concluded), d (assigned to the sub's user); e in Kent;
	// plus the practitioner's drafts and a colleague's draft.
	at := func(h int) { b.setNow(testNow.Add(time.Duration(h) * time.Hour)) }
	at(0)
	a := b.sent(crn(), setPerson("first_name", "Amara"), setPerson("last_name", "Quinlan"))
	at(1)
	c := b.sent(crn())
	b.post(b.pp.Token, path(c.ID, "/withdraw"), map[string]any{"reason_code": "NEE"})
	at(2)
	d := b.sent(crn())
	b.post(b.primeUser.Token, path(d.ID, "/caseworker"), map[string]any{"caseworker_id": b.subUser.ID.String()})
	at(3)
	kentPP := b.practitioner("K")
	e := b.draft(kentPP, kent, crn(), set("pcc_area_code", "kent"))
	e = b.post(kentPP.Token, path(e.ID, "/send"), nil)
	own1, own2 := b.createDraft(b.pp, b.contract, crn()), b.createDraft(b.pp, b.contract, crn())
	colleagues := b.createDraft(b.practitioner("J"), b.contract, crn())
	at(0)

	ordered := func(items []referrals.ReferralItem, want ...uuid.UUID) {
		t.Helper()
		if got := idsOf(items); !slices.Equal(got, want) {
			t.Errorf("ids %v\nwant %v", got, want)
		}
	}
	t.Run("scope", func(t *testing.T) {
		b := b.with(t)
		// drafts come first newest first (by id, which is time-ordered), then sent newest first
		ordered(b.list(b.pp.Token, "", 2), own2.ID, own1.ID, d.ID, c.ID, a.ID)
		ordered(b.list(kentPP.Token, "", 2), e.ID)
		ordered(b.list(b.primeUser.Token, "", 2), d.ID, c.ID, a.ID)
		ordered(b.list(b.subUser.Token, "", 2), d.ID, c.ID, a.ID)
		ordered(b.list(b.otherUser.Token, "", 2), e.ID)
		ordered(b.list(b.commissioner("J").Token, "", 2), d.ID, c.ID, a.ID)
		ordered(b.list(b.commissioner("A").Token, "", 2))
		ordered(b.list(b.commissioner("J", "K").Token, "", 2), e.ID, d.ID, c.ID, a.ID)
		ordered(b.list(b.admin.Token, "", 3), e.ID, d.ID, c.ID, a.ID)
		_ = colleagues
	})
	t.Run("sorting with pages across drafts and sent referrals", func(t *testing.T) {
		b := b.with(t)
		ordered(b.list(b.pp.Token, "sort=sent_at_asc", 2), a.ID, c.ID, d.ID, own1.ID, own2.ID)
		byRef := b.list(b.admin.Token, "", 9)
		slices.SortFunc(byRef, func(x, y referrals.ReferralItem) int { return strings.Compare(*x.Reference, *y.Reference) })
		ordered(b.list(b.admin.Token, "sort=reference", 1), idsOf(byRef)...)
		ordered(b.list(b.pp.Token, "sort=reference", 2), filterRegionJ(byRef, own1.ID, own2.ID)...)
	})
	t.Run("filters", func(t *testing.T) {
		b := b.with(t)
		ordered(b.list(b.pp.Token, "status=DRAFT", 5), own2.ID, own1.ID)
		ordered(b.list(b.pp.Token, "status=SENT,CONCLUDED", 5), c.ID, a.ID)
		ordered(b.list(b.pp.Token, "status=SENT&status=ASSIGNED", 5), d.ID, a.ID)
		ordered(b.list(b.admin.Token, "contract_id="+kent.String(), 5), e.ID)
		ordered(b.list(b.subUser.Token, "assigned_to_me=true", 5), d.ID)
		ordered(b.list(b.primeUser.Token, "unassigned=true", 5), a.ID)
		ordered(b.list(b.admin.Token, "concluded=true", 5), c.ID)
		ordered(b.list(b.admin.Token, "concluded=false", 5), e.ID, d.ID, a.ID)
		ordered(b.list(b.admin.Token, "region=K", 5), e.ID)
		ordered(b.list(b.admin.Token, "sent_from=2026-03-06&sent_to=2026-03-06", 5), e.ID, d.ID, c.ID, a.ID)
		ordered(b.list(b.admin.Token, "sent_from=2026-03-07", 5))
		ordered(b.list(b.admin.Token, "q="+strings.ToLower(*c.Reference), 5), c.ID)
		ordered(b.list(b.admin.Token, "q=ara+quin", 5), a.ID)
		ordered(b.list(b.admin.Token, "q=nobody", 5))
		b.env.Get(b.admin.Token, base+"?status=LOST").ExpectProblem(http.StatusBadRequest, "invalid_status")
		b.env.Get(b.admin.Token, base+"?sort=name").ExpectProblem(http.StatusBadRequest, "invalid_sort")
		b.env.Get(b.admin.Token, base+"?cursor=nonsense").ExpectProblem(http.StatusBadRequest, "invalid_cursor")
	})
}

// filterRegionJ returns the region J referrals of items, in order, followed by the extra ids.
func filterRegionJ(items []referrals.ReferralItem, extra ...uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for _, it := range items {
		if it.RegionCode == "J" {
			out = append(out, it.ID)
		}
	}
	return append(out, extra...)
}

func TestListOverdue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	late := b.sent(crn())
	f := b.flow(crn())
	f.assign()
	f.assess("YES") // on 9 March: assessed in time; the action plan is due on 16 March
	b.setNow(time.Date(2026, time.March, 21, 9, 0, 0, 0, time.UTC))
	items := b.list(b.admin.Token, "overdue=true", 5)
	if got := idsOf(items); !slices.Equal(got, []uuid.UUID{f.r.ID, late.ID}) {
		t.Fatalf("overdue %v", got)
	}
	if it := items[0]; !it.Timeliness.Overdue || !slices.Equal(it.Timeliness.OverdueItems, []referrals.Deliverable{referrals.DeliverableActionPlan}) {
		t.Errorf("timeliness %+v", it.Timeliness)
	}
	if it := items[1]; !slices.Equal(it.Timeliness.OverdueItems, []referrals.Deliverable{referrals.DeliverableAssessment}) {
		t.Errorf("timeliness %+v", it.Timeliness)
	}
	b.setNow(time.Date(2026, time.March, 13, 9, 0, 0, 0, time.UTC))
	if got := idsOf(b.list(b.admin.Token, "overdue=true", 5)); len(got) != 0 {
		t.Errorf("overdue on 13 March: %v", got)
	}
	if got := idsOf(b.list(b.admin.Token, "overdue=false", 5)); len(got) != 2 {
		t.Errorf("not overdue on 13 March: %v", got)
	}
}

// TestListQueryPlansUseIndexes explains the list queries the service runs, on 20,000 referrals, and
// fails when one reads the referrals table sequentially.
func TestListQueryPlansUseIndexes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var contractIDs []uuid.UUID
	for i, region := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"} {
		for k := range 3 {
			o := contractOpts{region: region}
			if (i+k)%4 == 0 {
				o.subcontractors = []uuid.UUID{b.sub}
			} else if k > 0 {
				o.prime = b.other
			}
			contractIDs = append(contractIDs, b.newContract(o))
		}
	}
	caseworkers := pq.StringArray{b.primeUser.ID.String(), b.subUser.ID.String(), b.otherUser.ID.String()}
	db := b.env.DB.Gorm
	err := db.Exec(`
		INSERT INTO referrals (id, reference, contract_id, region_code, practitioner_id, status, end_state, crn, person_first_name,
			person_last_name, counted, sent_at, sent_on, assessment_due_on, assessed_on, ended_on, caseworker_id, version, created_at, updated_at)
		SELECT gen_random_uuid(),
			CASE WHEN g % 20 = 0 THEN NULL ELSE substr('ABCDEFGHJKLMNPQRSTUVWXYZ', g / 10000 % 24 + 1, 1) || 'K' || lpad((g % 10000)::text, 4, '0') || 'AC' END,
			c.id, c.region_code, ?,
			(ARRAY['DRAFT', 'SENT', 'ASSIGNED', 'IN_DELIVERY', 'CONCLUDED'])[CASE WHEN g % 20 = 0 THEN 1 ELSE g % 4 + 2 END],
			CASE WHEN g % 20 <> 0 AND g % 4 = 3 THEN 'COMPLETED' END,
			'X' || lpad(g::text, 6, '0'), 'Person' || g, 'Surname' || (g % 997),
			g % 20 <> 0,
			CASE WHEN g % 20 <> 0 THEN timestamptz '2025-04-01 09:00Z' + g * interval '20 minutes' END,
			CASE WHEN g % 20 <> 0 THEN (timestamptz '2025-04-01 09:00Z' + g * interval '20 minutes')::date END,
			CASE WHEN g % 20 <> 0 THEN (timestamptz '2025-04-01 09:00Z' + g * interval '20 minutes')::date + 14 END,
			CASE WHEN g % 20 <> 0 AND g % 4 IN (2, 3) THEN (timestamptz '2025-04-01 09:00Z' + g * interval '20 minutes')::date + 10 END,
			CASE WHEN g % 20 <> 0 AND g % 4 = 3 THEN (timestamptz '2025-04-01 09:00Z' + g * interval '20 minutes')::date + 60 END,
			CASE WHEN g % 20 <> 0 AND g % 4 <> 0 THEN (?::uuid[])[g % 3 + 1] END,
			1, now(), now()
		FROM generate_series(1, 20000) g
		JOIN (SELECT id, region_code, row_number() OVER (ORDER BY id) - 1 AS k FROM contracts) c ON c.k = g % ?`,
		b.pp.ID, caseworkers, len(contractIDs)).Error
	if err != nil {
		t.Fatalf("insert referrals: %v", err)
	}
	if err := db.Exec(`ANALYZE referrals`).Error; err != nil {
		t.Fatal(err)
	}
	var someRef string
	db.Raw(`SELECT reference FROM referrals WHERE reference IS NOT NULL LIMIT 1`).Scan(&someRef)
	admin := actor.Actor{UserID: ids.New(), Role: actor.RoleAdmin}
	commissioner := actor.Actor{UserID: ids.New(), Role: actor.RoleCommissioner, Regions: []string{"J"}}
	twoRegions := actor.Actor{UserID: ids.New(), Role: actor.RoleCommissioner, Regions: []string{"J", "K"}}
	practitioner := b.pp.Actor()
	supplier := b.primeUser.Actor()
	caseworker := b.subUser.Actor()
	cursor := page.Encode(map[string]any{"s": time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), "i": uuid.Max})
	lim := page.Params{Limit: 50}
	yes, no := true, false
	for _, c := range []struct {
		name string
		a    actor.Actor
		p    referrals.ListParams
	}{
		{"region scope, newest first", commissioner, referrals.ListParams{Page: lim}},
		{"region scope, second page", commissioner, referrals.ListParams{Page: page.Params{Limit: 50, Cursor: cursor}}},
		{"two regions, newest first", twoRegions, referrals.ListParams{Page: lim}},
		{"practitioner: region and own drafts", practitioner, referrals.ListParams{Page: lim}},
		{"contract filter", admin, referrals.ListParams{ContractID: contractIDs[7], Page: lim}},
		{"contract filter in region scope", commissioner, referrals.ListParams{ContractID: contractIDs[28], Page: lim}},
		{"supplier scope", supplier, referrals.ListParams{Page: lim}},
		{"caseworker", caseworker, referrals.ListParams{AssignedToMe: true, Page: lim}},
		{"text search by reference", admin, referrals.ListParams{Q: strings.ToLower(someRef), Page: lim}},
		{"text search by reference in supplier scope", supplier, referrals.ListParams{Q: someRef, Page: lim}},
		{"unassigned, supplier", supplier, referrals.ListParams{Unassigned: true, Page: lim}},
		{"unassigned, region", commissioner, referrals.ListParams{Unassigned: true, Page: lim}},
		{"name search", admin, referrals.ListParams{Q: "surname99", Page: lim}},
		{"overdue in region scope", commissioner, referrals.ListParams{Overdue: &yes, Page: lim}},
		{"nothing overdue, supplier", supplier, referrals.ListParams{Overdue: &no, Page: lim}},
		{"every referral, by reference", admin, referrals.ListParams{Sort: referrals.SortReference, Page: lim}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := referrals.ListQuery(c.a, c.p, date("2026-03-06"))
			if err != nil {
				t.Fatal(err)
			}
			var plan string
			if err := db.Raw("EXPLAIN (FORMAT JSON) "+q.SQL, q.Args...).Row().Scan(&plan); err != nil {
				t.Fatalf("explain %s: %v", q.SQL, err)
			}
			var doc []struct{ Plan planNode }
			if err := json.Unmarshal([]byte(plan), &doc); err != nil {
				t.Fatal(err)
			}
			var indexed []string
			var walk func(n planNode)
			walk = func(n planNode) {
				if n.Relation == "referrals" && n.NodeType == "Seq Scan" {
					t.Errorf("sequential scan of referrals:\n%s\n%s", q.SQL, plan)
				}
				if strings.HasPrefix(n.IndexName, "referrals_") {
					indexed = append(indexed, n.NodeType+" "+n.IndexName)
				}
				for _, c := range n.Plans {
					walk(c)
				}
			}
			walk(doc[0].Plan)
			t.Logf("%s", indexed)
			if len(indexed) == 0 {
				t.Errorf("no index of referrals used:\n%s", plan)
			}
		})
	}
}

type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	IndexName string     `json:"Index Name"`
	Plans     []planNode `json:"Plans"`
}
