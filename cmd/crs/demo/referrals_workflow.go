package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/referrals"
)

// The demo referrals' workflow: each referral's planned timeline (assessment, action plan, sessions,
// end-of-service report, case notes), cut at its withdrawal or at now.

// appointment plans an appointment booked at created for day (moved later when too soon), possibly
// rescheduled once.
func (g *referralSeed) appointment(kind referrals.AppointmentKind, n int, created time.Time, day int) rsAppt {
	r := g.r
	if day <= g.dayOf(created) {
		day = g.cal.addWD(g.dayOf(created), 1)
	}
	slot := 9*60 + 30 + 30*r.IntN(14)
	a := rsAppt{kind: kind, n: n, created: created, start: g.at(day, slot)}
	if kind == referrals.KindAssessment {
		a.dur = []int{60, 90, 45}[g.weighted(60, 25, 15)]
	} else {
		a.dur = []int{60, 45, 90, 120}[g.weighted(50, 20, 20, 10)]
	}
	a.method = []referrals.Method{referrals.MethodInPerson, referrals.MethodPhone, referrals.MethodVideo}[g.weighted(55, 25, 20)]
	if r.IntN(100) < 8 {
		a.prevStart, a.prevMethod = a.start, a.method
		a.changeAt = g.between(created, a.prevStart.Add(-time.Hour))
		a.start = g.at(g.cal.addWD(day, 1+r.IntN(5)), 9*60+30+30*r.IntN(14))
		if r.IntN(10) < 3 {
			a.method = []referrals.Method{referrals.MethodInPerson, referrals.MethodPhone, referrals.MethodVideo}[r.IntN(3)]
		}
		by := g.weighted(35, 15, 50)
		a.changeBy = []referrals.RequestedBy{referrals.RequestedBySupplier, referrals.RequestedByPractitioner, referrals.RequestedByPersonOnProbation}[by]
		a.changeReason = pickString(r, rsRescheduleReasons[by])
	}
	if a.method == referrals.MethodInPerson {
		a.address = fmt.Sprintf("%d %s Road, %s", 1+r.IntN(180), strings.Fields(pickString(r, placeWords))[0], pickString(r, towns))
	}
	a.recorded = g.office(a.start.Add(time.Duration(a.dur+10+r.IntN(230)) * time.Minute))
	return a
}

func (g *referralSeed) attendance(missWeight int) referrals.Attendance {
	return []referrals.Attendance{referrals.AttendedYes, referrals.AttendedLate, referrals.AttendedNo}[g.weighted(94-missWeight, 6, missWeight)]
}

func (g *referralSeed) bookAppt(w *rsWork, a rsAppt) int {
	w.appts = append(w.appts, a)
	i := len(w.appts) - 1
	w.add(a.created, rsEvBook, i)
	if !a.changeAt.IsZero() {
		w.add(a.changeAt, rsEvChange, i)
	}
	w.add(a.recorded, rsEvRecord, i)
	return i
}

// ideal plans the referral's whole workflow as if nothing stopped it: assignment, the initial
// assessment (missed sometimes, then booked again), the action plan (sometimes a second version),
// its approval, every session until all are attended, and the end-of-service report.
func (g *referralSeed) ideal(w *rsWork, x *rsReferral, c *contractPlan, categories int) {
	r := g.r
	w.events, w.appts, w.plans, w.attendedRec, w.nextBook = w.events[:0], w.appts[:0], w.plans[:0], w.attendedRec[:0], w.nextBook[:0]
	w.firstAttended = time.Time{}
	sentDay := g.dayOf(x.sentAt)

	assignAt := g.after(x.sentAt, g.at(g.cal.addWD(sentDay, g.weighted(35, 40, 15, 10)), 9*60+r.IntN(510)))
	w.add(assignAt, rsEvAssign, 0)

	// The initial assessment: mostly inside the ten working days, some later.
	bookAt := g.office(assignAt.Add(time.Duration(10+r.IntN(230)) * time.Minute))
	if r.IntN(3) == 0 {
		bookAt = g.after(assignAt, g.at(g.cal.addWD(g.dayOf(assignAt), 1), 9*60+r.IntN(480)))
	}
	var assessed rsAppt
	for attempt := 0; ; attempt++ {
		var day int
		if attempt == 0 {
			m := 3 + r.IntN(7)
			if r.IntN(100) < 15 {
				m = 10 + r.IntN(6)
			}
			day = g.cal.addWD(sentDay, m)
		} else {
			day = g.cal.addWD(g.dayOf(bookAt), 2+r.IntN(5))
		}
		a := g.appointment(referrals.KindAssessment, 0, bookAt, day)
		a.att = g.attendance([]int{9, 5, 0}[min(attempt, 2)])
		g.bookAppt(w, a)
		if a.att.Attended() {
			assessed = a
			break
		}
		bookAt = g.after(a.recorded, g.at(g.cal.addWD(g.dayOf(a.recorded), r.IntN(2)), 9*60+r.IntN(480)))
	}

	// The action plan, due five working days after the assessment.
	assessedDay := g.dayOf(assessed.start)
	k := g.weighted(20, 65, 15)
	switch k {
	case 1:
		k = 1 + r.IntN(5)
	case 2:
		k = 6 + r.IntN(5)
	}
	sessions := rsSessionsBase[c.ctype] + r.IntN(rsSessionsSpan[c.ctype]) + categories - 1
	subAt := g.after(assessed.recorded, g.at(g.cal.addWD(assessedDay, k), 10*60+r.IntN(420)))
	w.plans = append(w.plans, rsPlan{submitted: subAt, sessions: sessions, activities: g.activities(c)})
	w.add(subAt, rsEvSubmit, 0)
	if r.IntN(10) == 0 {
		subAt = g.after(subAt, g.at(g.cal.addWD(g.dayOf(subAt), 1+r.IntN(4)), 10*60+r.IntN(420)))
		sessions = max(1, sessions+r.IntN(5)-2)
		w.plans = append(w.plans, rsPlan{submitted: subAt, sessions: sessions, activities: g.activities(c)})
		w.add(subAt, rsEvSubmit, 1)
	}
	approveAt := g.after(subAt, g.at(g.cal.addWD(g.dayOf(subAt), r.IntN(5)), 9*60+r.IntN(540)))
	w.plans[len(w.plans)-1].approved = approveAt
	w.add(approveAt, rsEvApprove, len(w.plans)-1)
	w.sessions = sessions

	// The sessions, each booked once the one before is recorded; a missed one is booked again.
	bookAt = g.after(approveAt, g.at(g.cal.addWD(g.dayOf(approveAt), r.IntN(3)), 9*60+r.IntN(480)))
	attended, misses := 0, 0
	var last rsAppt
	for attended < sessions {
		a := g.appointment(referrals.KindSession, attended+1, bookAt, g.cal.addWD(g.dayOf(bookAt), 2+r.IntN(6)))
		a.att = g.attendance([]int{14, 8, 0}[min(misses, 2)])
		g.bookAppt(w, a)
		if a.att.Attended() {
			attended, misses, last = attended+1, 0, a
			w.attendedRec = append(w.attendedRec, a.recorded)
			if w.firstAttended.IsZero() {
				w.firstAttended = a.start
			}
		} else {
			misses++
		}
		if attended == sessions {
			break
		}
		bookAt = g.after(a.recorded, a.recorded.Add(time.Duration(30+r.IntN(47*60))*time.Minute))
		if a.att.Attended() {
			w.nextBook = append(w.nextBook, bookAt)
		}
	}
	// The end-of-service report, due five working days after the last session.
	k = g.weighted(65, 15, 20)
	switch k {
	case 0:
		k = 1 + r.IntN(4)
	case 1:
		k = 5
	default:
		k = 6 + r.IntN(7)
	}
	reportAt := g.after(last.recorded, g.at(g.cal.addWD(g.dayOf(last.start), k), 10*60+r.IntN(420)))
	w.add(reportAt, rsEvReport, 0)
}

func (g *referralSeed) activities(c *contractPlan) []byte {
	pool := rsActivities[c.ctype]
	n := 1 + g.r.IntN(3)
	var out []referrals.Activity
	for _, i := range g.r.Perm(len(pool))[:n] {
		out = append(out, referrals.Activity{Description: pool[i]})
	}
	b, _ := json.Marshal(out)
	return b
}

// referral generates one referral sent on day, with its fate, and appends its rows.
func (g *referralSeed) referral(c *contractPlan, day int, fate int) {
	r := g.r
	sentOn := g.cal.date(day)
	minute := 8*60 + r.IntN(630)
	if !g.cal.isWorking(day) {
		minute = 9*60 + r.IntN(480)
	}
	sentAt := g.at(day, minute)
	created := sentAt.Add(-time.Duration(5+r.IntN(3*24*60)) * time.Minute)
	x := rsReferral{id: g.newID(created), contractID: c.id, region: g.regionOf(c), status: string(referrals.StatusSent),
		crn: g.newCRN(), reference: g.newReference(c.ctype), counted: true, sentAt: sentAt, sentOn: sentOn,
		assessmentDue: g.cal.date(g.cal.addWD(day, referrals.AssessmentWorkingDays)), createdAt: created, updatedAt: sentAt}
	x.version = 5 + r.IntN(5) // created, three to seven draft updates, sent
	pool := g.practitioners[x.region]
	x.practitioner = pool[r.IntN(len(pool))]
	if (x.region == "J" || x.region == "K") && r.IntN(100) < 6 {
		x.practitioner = g.demo.practitioner
	}
	g.person(&x, c, sentOn)
	categories := g.pickServices(&x, c)
	caseworker := g.caseworker(c)

	w := &g.work
	g.ideal(w, &x, c, categories)

	// When the referral stops: its withdrawal (if already past) or now.
	var withdraw time.Time
	switch fate {
	case rsFateCancelled:
		span := w.firstAttended.Sub(sentAt)
		withdraw = g.office(sentAt.Add(time.Hour + time.Duration(math.Pow(r.Float64(), 1.4)*float64(span-2*time.Hour))))
		if !withdraw.Before(w.firstAttended) {
			withdraw = w.firstAttended.Add(-time.Hour)
		}
		x.wReason = rsCancelReasons[g.weighted(rsWeightsOfReasons(rsCancelReasons)...)].code
	case rsFatePremature:
		if len(w.nextBook) == 0 { // a one-session plan cannot end early: it completes
			break
		}
		k := r.IntN(len(w.nextBook))
		from, to := w.attendedRec[k], w.nextBook[k]
		withdraw = g.between(from, to)
		x.wReason = rsPrematureReasons[g.weighted(rsWeightsOfReasons(rsPrematureReasons)...)].code
	case rsFateNotCounted:
		withdraw = g.office(sentAt.Add(time.Duration(30+r.IntN(10*24*60)) * time.Minute))
		if !withdraw.Before(g.now) {
			withdraw = g.between(sentAt, g.now)
		}
		if !withdraw.Before(w.firstAttended) { // found out before any session
			withdraw = w.firstAttended.Add(-time.Hour)
		}
		x.wReason = []string{"INE", "MIS"}[r.IntN(2)]
	}
	cut := g.now
	if !withdraw.IsZero() && withdraw.Before(cut) {
		cut = withdraw
	} else {
		withdraw, x.wReason = time.Time{}, ""
	}

	attended, lastDay := 0, 0
	for _, e := range w.events {
		if e.at.After(cut) {
			break
		}
		switch e.kind {
		case rsEvAssign:
			x.status, x.caseworker, x.assignedAt = string(referrals.StatusAssigned), caseworker, e.at
		case rsEvBook:
			w.appts[e.i].booked = true
			if w.appts[e.i].kind == referrals.KindAssessment {
				x.status = string(referrals.StatusAssessmentBooked)
			}
		case rsEvChange:
			w.appts[e.i].changed = true
		case rsEvRecord:
			a := &w.appts[e.i]
			a.saved = true
			switch {
			case a.kind == referrals.KindAssessment && a.att.Attended():
				x.status = string(referrals.StatusAssessed)
				x.assessedOn = calendar.BusinessDay(a.start)
				x.planDue = g.cal.date(g.cal.addWD(g.dayOf(a.start), referrals.ActionPlanWorkingDays))
			case a.kind == referrals.KindAssessment:
				x.status = string(referrals.StatusAssigned)
			default:
				x.status = string(referrals.StatusInDelivery)
				if a.att.Attended() {
					attended++
					lastDay = max(lastDay, g.dayOf(a.start))
					if attended == w.sessions {
						x.status = string(referrals.StatusAwaitingEndOfServiceReport)
						x.endedOn = g.cal.date(lastDay)
						x.reportDue = g.cal.date(g.cal.addWD(lastDay, referrals.EndOfServiceReportWorkingDays))
					}
				}
			}
		case rsEvSubmit:
			x.status = string(referrals.StatusActionPlanSubmitted)
			w.plans[e.i].subApplied = true
			if x.planAt.IsZero() {
				x.planAt = e.at
			}
		case rsEvApprove:
			x.status, x.approvedAt = string(referrals.StatusActionPlanApproved), e.at
			w.plans[e.i].apApplied = true
		case rsEvReport:
			g.report(&x, e.at, caseworker, referrals.EndStateFor(attended, w.sessions))
		}
		x.version++
		x.updatedAt = e.at
	}
	if !withdraw.IsZero() {
		x.withdrawnAt, x.wComment = withdraw, ""
		if r.IntN(10) < 6 {
			x.wComment = pickString(r, rsWithdrawalComments[x.wReason])
		}
		if x.wReason == "INE" || x.wReason == "MIS" {
			x.counted = false
		}
		wday := g.dayOf(withdraw)
		if x.endedOn.IsZero() {
			x.endedOn = g.cal.date(wday)
		}
		x.version++
		x.updatedAt = withdraw
		if attended == 0 {
			x.status, x.endState, x.concludedAt = string(referrals.StatusConcluded), string(referrals.EndCancelled), withdraw
		} else {
			x.status = string(referrals.StatusAwaitingEndOfServiceReport)
			x.reportDue = g.cal.date(g.cal.addWD(wday, referrals.EndOfServiceReportWorkingDays))
			k := []int{1 + r.IntN(4), 5, 6 + r.IntN(7)}[g.weighted(65, 15, 20)]
			at := g.after(withdraw, g.at(g.cal.addWD(wday, k), 10*60+r.IntN(420)))
			if at.Before(g.now) {
				g.report(&x, at, caseworker, referrals.EndStateFor(attended, w.sessions))
				x.version++
				x.updatedAt = at
			}
		}
	}
	g.keep(&x, w, caseworker)
	g.caseNotes(&x, caseworker)
	g.rows = append(g.rows, x)
}

// report submits the end-of-service report, rating every desired outcome, and concludes.
func (g *referralSeed) report(x *rsReferral, at time.Time, by uuid.UUID, end referrals.EndState) {
	r := g.r
	weights := []int{55, 35, 10}
	if end != referrals.EndCompleted {
		weights = []int{10, 40, 50}
	}
	// The referral's services are the last ones appended, in reference order.
	first := len(g.services)
	for first > 0 && g.services[first-1].referral == x.id {
		first--
	}
	var ratings []referrals.OutcomeRating
	for _, s := range g.services[first:] {
		for _, o := range s.outcomes {
			a := []referrals.Achievement{referrals.Achieved, referrals.PartiallyAchieved, referrals.NotAchieved}[g.weighted(weights...)]
			ratings = append(ratings, referrals.OutcomeRating{OutcomeID: o, Achievement: a, Notes: pickString(r, rsOutcomeNotes[a])})
		}
	}
	outcomes, _ := json.Marshal(ratings)
	rep := rsReport{referral: x.id, by: by, outcomes: outcomes, at: at}
	if r.IntN(3) == 0 {
		rep.further = pickString(r, rsReportFurther[end == referrals.EndCompleted])
	}
	g.reports = append(g.reports, rep)
	x.status, x.endState = string(referrals.StatusConcluded), string(end)
	x.reportAt, x.concludedAt = at, at
}

// keep appends the appointments, reschedules and action plans that happened before the cut.
func (g *referralSeed) keep(x *rsReferral, w *rsWork, caseworker uuid.UUID) {
	for _, a := range w.appts {
		if !a.booked {
			continue
		}
		a.id = g.newID(a.created)
		if !a.changeAt.IsZero() && !a.changed {
			a.start, a.method, a.changeAt = a.prevStart, a.prevMethod, time.Time{}
			if a.method == referrals.MethodInPerson && a.address == "" {
				a.address = fmt.Sprintf("%d %s Road, %s", 1+g.r.IntN(180), strings.Fields(pickString(g.r, placeWords))[0], pickString(g.r, towns))
			}
		}
		if a.method != referrals.MethodInPerson {
			a.address = ""
		}
		if !a.changeAt.IsZero() {
			a.changeID = g.newID(a.changeAt)
		}
		g.appts = append(g.appts, a)
		g.apptRef = append(g.apptRef, x.id)
		g.apptBy = append(g.apptBy, caseworker)
	}
	for _, p := range w.plans {
		if !p.subApplied {
			continue
		}
		p.id = g.newID(p.submitted)
		if !p.apApplied {
			p.approved = time.Time{}
		}
		g.plans = append(g.plans, p)
		g.planRef = append(g.planRef, x.id)
		g.planBy = append(g.planBy, caseworker)
		g.planAppr = append(g.planAppr, x.practitioner)
	}
}

// caseNotes adds a case note or two to about one referral in six, by its practitioner or caseworker.
func (g *referralSeed) caseNotes(x *rsReferral, caseworker uuid.UUID) {
	r := g.r
	if r.IntN(6) != 0 {
		return
	}
	end := g.now
	if !x.concludedAt.IsZero() {
		end = x.concludedAt
	}
	for range 1 + r.IntN(2) {
		at := g.between(x.sentAt, end)
		author, notes := x.practitioner, rsPractitionerNotes
		if !x.assignedAt.IsZero() && at.After(x.assignedAt) && r.IntN(2) == 0 {
			author, notes = caseworker, rsSupplierNotes
		}
		n := notes[r.IntN(len(notes))]
		g.notes = append(g.notes, rsNote{id: g.newID(at), referral: x.id, author: author, subject: n[0], body: n[1], at: at})
	}
}

// drafts gives the demo practitioner a few drafts in progress on London and Kent, Surrey and Sussex
// contracts.
func (g *referralSeed) drafts() {
	var mine []*contractPlan
	for _, c := range g.cat.contracts {
		if reg := g.regionOf(c); reg == "J" || reg == "K" {
			mine = append(mine, c)
		}
	}
	for k := range 4 {
		c := mine[g.r.IntN(len(mine))]
		updated := g.now.Add(-time.Duration(1+g.r.IntN(20*24)) * time.Hour)
		x := rsReferral{id: g.newID(updated.Add(-48 * time.Hour)), contractID: c.id, region: g.regionOf(c), status: string(referrals.StatusDraft),
			practitioner: g.demo.practitioner, crn: g.newCRN(), version: 1 + k, createdAt: updated.Add(-48 * time.Hour), updatedAt: updated}
		g.person(&x, c, calendar.BusinessDay(g.now))
		if k == 0 { // just started: the CRN and little else
			x = rsReferral{id: x.id, contractID: x.contractID, region: x.region, status: x.status, practitioner: x.practitioner, crn: x.crn,
				version: 1, createdAt: x.createdAt, updatedAt: x.createdAt, commitments: []byte("[]")}
		} else {
			g.pickServices(&x, c)
		}
		if k < 3 {
			x.risk, x.further = "", ""
		}
		g.rows = append(g.rows, x)
	}
}

// feedback returns an appointment's session summary, the person's response and any concerns, chosen
// from the appointment's id so that the generator's stream is not consumed while loading.
func (g *referralSeed) feedback(a *rsAppt) (string, string, string) {
	h := int(a.id[15]) | int(a.id[14])<<8
	if a.att == referrals.AttendedNo {
		return rsMissedSummaries[h%len(rsMissedSummaries)], "", ""
	}
	pool := rsSessionSummaries
	if a.kind == referrals.KindAssessment {
		pool = rsAssessmentSummaries
	}
	concerns := ""
	if h%11 == 0 {
		concerns = rsConcerns[h/11%len(rsConcerns)]
	}
	return pool[h%len(pool)], rsResponses[h/7%len(rsResponses)], concerns
}
