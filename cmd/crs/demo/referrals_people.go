package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/referrals"
)

// The demo referrals' people: practitioners, caseworkers, the person on probation and the services
// the referral asks for.

// newID returns a UUIDv7 of instant t (as ids.New would have made at that time) whose random bits
// come from the seeded generator.
func (g *referralSeed) newID(t time.Time) uuid.UUID {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	a, b := g.r.Uint64(), g.r.Uint64()
	for i := 0; i < 8; i++ {
		u[6+i] = byte(a >> (8 * i))
	}
	u[14], u[15] = byte(b), byte(b>>8)
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (g *referralSeed) regionOf(c *contractPlan) string {
	if c.pcc != "" {
		a, _ := g.ref.PCCArea(c.pcc)
		return a.RegionCode
	}
	return c.region
}

// planUsers creates the practitioners of every region and the caseworkers of every prime holding a
// contract, in proportion to their volumes; they sign in with the demo password.
func (g *referralSeed) planUsers(counts [][2]int) {
	regionVolume := map[string]int{}
	primeVolume := map[*supplierPlan]int{}
	for i, c := range g.cat.contracts {
		regionVolume[g.regionOf(c)] += counts[i][0]
		primeVolume[c.prime] += counts[i][0]
	}
	created := g.now.Add(-400 * 24 * time.Hour)
	for _, reg := range g.ref.Regions {
		if regionVolume[reg.Code] == 0 {
			continue
		}
		n := 6 + regionVolume[reg.Code]/600
		for k := 1; k <= n; k++ {
			u := rsUser{id: g.newID(created), role: "practitioner", regions: []string{reg.Code},
				email: fmt.Sprintf("practitioner%d.%s@probation.example.org", k, strings.ToLower(reg.Code)),
				name:  fmt.Sprintf("Practitioner %d (%s)", k, reg.Name)}
			g.users = append(g.users, u)
			g.practitioners[reg.Code] = append(g.practitioners[reg.Code], u.id)
		}
	}
	for _, p := range g.cat.primes {
		if primeVolume[p] == 0 {
			continue
		}
		n := min(max(2+primeVolume[p]/1000, 3), 10)
		for k := 1; k <= n; k++ {
			id := p.id
			u := rsUser{id: g.newID(created), role: "supplier", supplier: &id,
				email: fmt.Sprintf("caseworker%d@%s.example.org", k, slug(p.name)),
				name:  fmt.Sprintf("Caseworker %d (%s)", k, p.name)}
			g.users = append(g.users, u)
			g.caseworkers[p] = append(g.caseworkers[p], u.id)
		}
	}
}

func (g *referralSeed) newCRN() string {
	for {
		crn := fmt.Sprintf("%c%06d", 'A'+rune(g.r.IntN(26)), g.r.IntN(1000000))
		if !g.crns[crn] {
			g.crns[crn] = true
			return crn
		}
	}
}

func (g *referralSeed) newReference(ctype string) string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ" // referrals.NewReference's: no I or O
	for {
		ref := fmt.Sprintf("%c%c%04d%s", letters[g.r.IntN(len(letters))], letters[g.r.IntN(len(letters))], g.r.IntN(10000), ctype[:2])
		if !g.refs[ref] {
			g.refs[ref] = true
			return ref
		}
	}
}

// person fills in the person, their needs and the referral's free text, eligible for the contract on
// the day it is sent.
func (g *referralSeed) person(x *rsReferral, c *contractPlan, sentOn calendar.Date) {
	r := g.r
	female := !slices.Contains(c.sexes, contracts.SexMale) || (slices.Contains(c.sexes, contracts.SexFemale) && r.IntN(100) < 16)
	x.sex = string(contracts.SexMale)
	if female {
		x.sex = string(contracts.SexFemale)
	}
	x.first, x.last = synthFirstName(r, female), synthSurname(r)
	hi := 68
	if c.maxAge != nil {
		hi = *c.maxAge
	}
	age := c.minAge + int(float64(hi-c.minAge+1)*math.Pow(r.Float64(), 1.5))
	x.dob = sentOn.AddYears(-age).AddDays(-r.IntN(365))
	ethnicities := rsEthnicities
	if x.region == "J" {
		ethnicities = rsEthnicitiesLondon
	}
	x.ethnicity = ethnicities[g.weighted(rsWeightsOf(ethnicities)...)].text
	x.language, x.interpreter = "English", false
	switch n := r.IntN(100); {
	case x.region == "D" && n < 8:
		x.language = "Welsh"
	case n >= 91:
		x.language = pickString(r, rsLanguages)
		x.interpreter = r.IntN(10) < 7
	}
	if r.IntN(4) == 0 {
		x.disabilities = pickString(r, rsDisabilities)
	}
	if r.IntN(7) == 0 {
		x.access = pickString(r, rsAccessNeeds)
	}
	x.commitments = []byte("[]")
	if r.IntN(5) == 0 {
		x.commitments, _ = json.Marshal([]referrals.Commitment{rsCommitments[r.IntN(len(rsCommitments))]})
	}
	x.pcc = c.pcc
	if x.pcc == "" {
		areas := g.ref.PCCAreasOf(x.region)
		x.pcc = areas[r.IntN(len(areas))].Code
	}
	switch g.weighted(50, 40, 10) {
	case 0:
		x.setting, x.maxDays = string(referrals.SettingCommunity), 10+5*r.IntN(7)
	case 1:
		x.setting, x.maxDays = string(referrals.SettingLicence), 10+5*r.IntN(5)
	default:
		x.setting, x.maxDays = string(referrals.SettingPreRelease), 10+5*r.IntN(3)
		x.prison = "HMP " + strings.Fields(pickString(r, placeWords))[0]
		x.release = sentOn.AddDays(14 + r.IntN(70))
	}
	x.deadline = sentOn.AddDays(91 + r.IntN(92))
	if end := extension1[1]; x.deadline.After(end) {
		x.deadline = end
	}
	x.reason = pickString(r, rsReasons[c.ctype])
	x.risk = pickString(r, rsRisks)
	if r.IntN(3) == 0 {
		x.further = pickString(r, rsFurther)
	}
}

// services picks the referral's service categories (one, or for personal wellbeing and women's
// services sometimes two), a complexity level each and one to three desired outcomes each.
func (g *referralSeed) pickServices(x *rsReferral, c *contractPlan) (n int) {
	r := g.r
	ct, _ := g.ref.ContractType(c.ctype)
	cats := []string{ct.Categories[r.IntN(len(ct.Categories))]}
	if len(ct.Categories) > 1 && (c.ctype == "WOS" && r.IntN(2) == 0 || c.ctype != "WOS" && r.IntN(10) < 3) {
		for {
			other := ct.Categories[r.IntN(len(ct.Categories))]
			if other != cats[0] {
				cats = append(cats, other)
				break
			}
		}
	}
	for _, code := range cats {
		cat, _ := g.ref.Category(code)
		k := 1 + g.weighted(40, 40, 20)
		k = min(k, len(cat.Outcomes))
		picked := r.Perm(len(cat.Outcomes))[:k]
		slices.Sort(picked)
		s := rsService{referral: x.id, category: code, complexity: []string{"LOW", "MEDIUM", "HIGH"}[g.weighted(35, 45, 20)]}
		for _, p := range picked {
			s.outcomes = append(s.outcomes, cat.Outcomes[p].ID)
		}
		g.services = append(g.services, s)
	}
	return len(cats)
}

// caseworker chooses who works the referral: the demo supplier accounts take a good share of their
// organisations' referrals, the primes' caseworkers the rest.
func (g *referralSeed) caseworker(c *contractPlan) uuid.UUID {
	r := g.r
	if containsPlan(c.subs, g.cat.demoSub) && r.IntN(100) < 20 {
		return g.demo.sub
	}
	switch {
	case c.prime == g.cat.demoPrime && r.IntN(100) < 45:
		return g.demo.prime
	case c.prime == g.cat.otherPrime && r.IntN(100) < 30:
		return g.demo.other
	}
	pool := g.caseworkers[c.prime]
	return pool[r.IntN(len(pool))]
}

// The free text of the demo referrals: invented, generic, and free of names.

type rsWeighted struct {
	text string
	w    int
}

func rsWeightsOf(list []rsWeighted) []int {
	out := make([]int, len(list))
	for i, x := range list {
		out[i] = x.w
	}
	return out
}

type rsReason struct {
	code string
	w    int
}

func rsWeightsOfReasons(list []rsReason) []int {
	out := make([]int, len(list))
	for i, x := range list {
		out[i] = x.w
	}
	return out
}

var (
	rsEthnicities = []rsWeighted{
		{"White: English, Welsh, Scottish, Northern Irish or British", 70}, {"White: Irish", 1}, {"White: any other White background", 6},
		{"White: Gypsy or Irish Traveller", 1}, {"Mixed: White and Black Caribbean", 3}, {"Mixed: any other mixed background", 2},
		{"Asian or Asian British: Pakistani", 3}, {"Asian or Asian British: Indian", 2}, {"Asian or Asian British: Bangladeshi", 1},
		{"Black or Black British: Caribbean", 3}, {"Black or Black British: African", 3}, {"Other ethnic group", 2}, {"Prefers not to say", 3},
	}
	rsEthnicitiesLondon = []rsWeighted{
		{"White: English, Welsh, Scottish, Northern Irish or British", 38}, {"White: Irish", 2}, {"White: any other White background", 12},
		{"Mixed: White and Black Caribbean", 6}, {"Mixed: any other mixed background", 4}, {"Asian or Asian British: Pakistani", 3},
		{"Asian or Asian British: Indian", 4}, {"Asian or Asian British: Bangladeshi", 4}, {"Black or Black British: Caribbean", 10},
		{"Black or Black British: African", 10}, {"Other ethnic group", 4}, {"Prefers not to say", 3},
	}
	rsLanguages    = []string{"Polish", "Romanian", "Urdu", "Punjabi", "Arabic", "Portuguese", "Lithuanian", "Somali", "Bengali", "Albanian", "Kurdish"}
	rsDisabilities = []string{"Dyslexia.", "Anxiety and depression, treated by the GP.", "Uses a walking stick; cannot manage long flights of stairs.",
		"ADHD diagnosed in childhood.", "Partial hearing loss in one ear.", "Mild learning disability.", "Type 1 diabetes.", "Epilepsy, well controlled.",
		"Post-traumatic stress.", "Chronic back pain."}
	rsAccessNeeds = []string{"Ground-floor rooms only.", "Written information in easy read.", "Appointments after 10am because of medication.",
		"Needs instructions repeated and written down.", "Prefers a quiet room with few people.", "Needs a hearing loop or to sit facing the speaker."}
	rsCommitments = []referrals.Commitment{
		{Description: "Part-time job in a warehouse", TimesUnavailable: "Monday to Wednesday, 7am to 3pm"},
		{Description: "Takes their children to and from school", TimesUnavailable: "Weekdays 8am to 9:30am and 2:45pm to 3:45pm"},
		{Description: "Cares for a parent", TimesUnavailable: "Tuesday and Thursday afternoons"},
		{Description: "College course", TimesUnavailable: "Mondays and Fridays, 9am to 4pm"},
		{Description: "Drug and alcohol service group", TimesUnavailable: "Wednesday mornings"},
		{Description: "Unpaid work requirement", TimesUnavailable: "Saturdays"},
		{Description: "Agency shifts at short notice", TimesUnavailable: "Varies week to week; text the day before"},
	}
	rsReasons = map[string][]string{
		"ACC": {"Sofa-surfing with friends since release and at risk of sleeping rough.",
			"Private tenancy ends in six weeks after a section 21 notice; about £1,200 in rent arrears.",
			"Living in short-term supported housing that ends next month.",
			"Has been offered a social tenancy and needs help to set it up and keep it.",
			"Staying with a relative where the relationship is breaking down; needs a move plan.",
			"Due for release with no fixed address; local authority duty to refer made.",
			"Lives in a hostel and wants help to move into independent accommodation."},
		"ETE": {"Unemployed for over a year and wants help getting back into work.",
			"Left school without qualifications and wants to improve literacy and numeracy.",
			"Has a trade background and needs help with a CV and disclosing the conviction.",
			"Wants to start a construction skills card course.",
			"Lost their job after the conviction and wants advice on retraining.",
			"Interested in volunteering as a first step towards paid work."},
		"PWB": {"Low mood and isolation since release; few positive contacts.",
			"Conflict at home with a partner; wants help with communication.",
			"Spends time with peers linked to offending and wants to change routine.",
			"Has no ID documents and struggles to access services.",
			"Anxiety is getting in the way of keeping appointments.",
			"Wants to rebuild contact with their children safely.",
			"Has lost confidence and wants structured activity during the week."},
		"WOS": {"Needs support with housing, finances and emotional wellbeing after leaving an abusive relationship.",
			"Struggling with debt and benefit sanctions; at risk of losing her tenancy.",
			"Wants support to stay in recovery and rebuild contact with her children.",
			"Isolated since release; would benefit from a women-only group setting.",
			"Needs help to find work or training that fits around childcare.",
			"Recently moved to the area and knows no local services."},
	}
	rsRisks = []string{"Low risk of serious harm; no concerns for lone working.",
		"Medium risk of harm to known adults; meet in public places or at the office.",
		"History of verbal aggression when anxious; two workers for home visits.",
		"Low risk of serious harm. Do not visit at the home address without checking with the practitioner first.",
		"Medium risk of harm to a former partner; do not share any address details.",
		"No current risk concerns recorded.",
		"Risk to children: meet without children present."}
	rsFurther = []string{"Prefers to be contacted by text message.", "Has a support worker from the local drug and alcohol service.",
		"Works some evenings; morning appointments are best.", "Phone credit is often low: please call rather than expect a call back.",
		"Has a hospital appointment in the coming weeks."}
	rsSessionsBase = map[string]int{"ACC": 2, "ETE": 2, "PWB": 3, "WOS": 3}
	rsSessionsSpan = map[string]int{"ACC": 4, "ETE": 5, "PWB": 4, "WOS": 6}
	rsActivities   = map[string][]string{
		"ACC": {"Complete a housing application with the local authority.", "Gather ID and proof of income for landlords.",
			"View private rented properties and negotiate a deposit scheme.", "Budget for rent and bills.", "Set up the new tenancy: utilities, council tax, furniture."},
		"ETE": {"Write a CV and a disclosure letter.", "Enrol on a literacy and numeracy course.", "Apply for a construction skills card.",
			"Practise interviews.", "Find a volunteering placement."},
		"PWB": {"Weekly one-to-one sessions on coping with stress.", "Register with a GP.", "Join a community sports group.",
			"Family mediation sessions.", "Apply for photo ID and a bank account.", "Plan a weekly routine."},
		"WOS": {"One-to-one key work sessions.", "Women's group sessions.", "Benefit and debt advice.", "Support to attend recovery meetings.",
			"Housing options appointment.", "Parenting support."},
	}
	rsRescheduleReasons = [][]string{
		{"The caseworker is ill.", "The room is not available.", "Staff training day."},
		{"The practitioner has a clash with a court date.", "Needs to fit around a probation appointment."},
		{"Has a job interview that day.", "Childcare fell through.", "Feeling unwell.", "Has a medical appointment.", "Transport problems."},
	}
	rsCancelReasons      = []rsReason{{"NOT", 40}, {"NEE", 16}, {"MOV", 10}, {"WOR", 10}, {"RET", 9}, {"ANO", 6}, {"SEE", 3}, {"SER", 3}, {"ACQ", 1}, {"USE", 1}}
	rsPrematureReasons   = []rsReason{{"NOT", 35}, {"MOV", 12}, {"WOR", 12}, {"RET", 12}, {"EAR", 12}, {"SEE", 6}, {"SER", 4}, {"ANO", 6}, {"USE", 1}}
	rsWithdrawalComments = map[string][]string{
		"INE": {"Lives outside the contract's area.", "Not eligible for this contract's age range.", "Already receiving the same service from another contract."},
		"MIS": {"Sent to the wrong contract.", "Duplicate of an earlier referral.", "Sent in error before the case was transferred."},
		"NOT": {"Has not responded to calls or letters.", "Did not attend three times and does not want the service.", "Declined the service."},
		"NEE": {"Housing found through the council.", "Started work; no longer needs support.", "Now supported by another local service."},
		"MOV": {"Moved to another region.", "Transferred to another probation area."},
		"WOR": {"Started full-time work.", "Caring for a family member.", "In hospital for some weeks."},
		"USE": {"Reported by the family."},
		"ACQ": {"Conviction quashed on appeal."},
		"RET": {"Recalled to custody.", "Remanded in custody on a new matter."},
		"SEE": {"The order has ended."},
		"SER": {"Order revoked by the court."},
		"EAR": {"Goals met sooner than planned.", "Needs met after fewer sessions than planned."},
		"ANO": {"Change of circumstances: see case notes.", "Now subject to a different order."},
	}
	rsOutcomeNotes = map[referrals.Achievement][]string{
		referrals.Achieved:          {"Fully met.", "Achieved and sustained at the last session.", "Met with evidence on file."},
		referrals.PartiallyAchieved: {"Good progress; some steps still to do.", "Started but not finished before the service ended.", "Partly met."},
		referrals.NotAchieved:       {"Not met.", "Did not engage with this part of the plan.", "Not possible in the time available."},
	}
	rsReportFurther = map[bool][]string{
		true:  {"Engaged well throughout.", "Would benefit from a follow-up in three months.", "Has a support plan with a local group going forward."},
		false: {"The service ended early; the person may be referred again.", "Progress was limited by attendance.", "Ended after the withdrawal; the practitioner has the details."},
	}
	rsPractitionerNotes = [][2]string{
		{"Change of phone number", "The person has a new mobile number; it is on the case record."},
		{"Court date", "The person is due in court next month; please avoid booking that day."},
		{"Update after supervision", "Supervision went well; the person is keen to carry on."},
		{"Address change", "The person has moved within the area; the new address is on the case record."},
		{"Risk update", "No change to the risk summary after review."},
	}
	rsSupplierNotes = [][2]string{
		{"Attendance", "We could not reach the person for the last appointment; we will try again this week."},
		{"Progress", "Good progress this month; the plan is on track."},
		{"Referral to another service", "We have signposted the person to the local food bank."},
		{"Appointment letter sent", "An appointment letter went out by post and by text message."},
		{"Safeguarding", "We raised a concern with the practitioner by phone today."},
	}
	rsMissedSummaries     = []string{"Did not attend; no contact beforehand.", "Did not attend; phoned later to apologise.", "Did not attend; text reminder sent the day before."}
	rsAssessmentSummaries = []string{"Initial assessment completed; needs and goals agreed.", "Talked through the referral and agreed priorities for the plan.",
		"Assessment completed; the person chose the first goals to work on.", "Initial meeting went well; consent and contact details confirmed."}
	rsSessionSummaries = []string{"Worked on the goals in the action plan.", "Reviewed progress and set tasks for next week.",
		"Completed forms together and made phone calls.", "Group session; took part well.", "Practical session in the community.",
		"Short session; agreed next steps."}
	rsResponses = []string{"Engaged well.", "Motivated and positive.", "Quiet but took part.", "A little anxious; settled as the session went on.",
		"Keen to make progress.", "Tired today; asked for a shorter session next time."}
	rsConcerns = []string{"Mentioned money worries; signposted to debt advice.", "Seemed low in mood; practitioner informed.",
		"Said their housing is at risk again.", "Raised a possible safeguarding issue; practitioner informed."}
)
