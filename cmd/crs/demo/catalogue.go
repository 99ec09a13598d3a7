package demo

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/suppliers"
)

// The first day of the service: every demo contract starts then, runs four years, and has taken a
// two-year extension (so that about twelve months of referrals span an ended and a current year).
var (
	serviceStart = calendar.NewDate(2021, 6, 26)
	serviceEnd   = calendar.NewDate(2025, 6, 25)
	extension1   = [2]calendar.Date{calendar.NewDate(2025, 6, 26), calendar.NewDate(2027, 6, 25)}
	extension2   = [2]calendar.Date{calendar.NewDate(2027, 6, 26), calendar.NewDate(2028, 6, 25)}
)

// Invented name parts: no real organisations.
var (
	placeWords = []string{"Lanternway", "Kestrelmoor", "Harbourlight", "Foxglove", "Meadowmere", "Tidewell", "Ashgrove",
		"Brackenford", "Copperbeech", "Dunmere", "Elmstead", "Fernhollow", "Glenbrook", "Hollingate", "Ivybridge Lane",
		"Juniper Row", "Kingfisher Vale", "Larkspur", "Millrace", "Northbeck", "Orchardside", "Pennywell", "Quarrybank",
		"Rowanfield", "Saltmarsh", "Thornbury Rise", "Underhill", "Wayfarer", "Yarrowdale", "Beaconsway", "Cloudberry",
		"Driftwood", "Emberlea", "Fairhaven Way", "Greystones", "Heathcote Lane", "Inglenook", "Jasperfield", "Knotweed",
		"Lindenmoor", "Marigold", "Nettlebed", "Oxbow", "Pebblecombe", "Quillwater", "Redwing", "Sorrelgate", "Tansybrook"}
	vcseSuffixes = []string{"Community Trust", "Foundation", "CIC", "Partnership", "Housing Association", "Charitable Trust", "Community Interest Company"}
	smeSuffixes  = []string{"Services Ltd", "Consulting Ltd", "Training Ltd", "Solutions Ltd"}
	towns        = []string{"Northfield", "Eastbridge", "Westmoor", "Southgate", "Middleton Vale", "Highcross", "Lowbeck", "Ashby Marsh"}
)

// supplierPlan is a supplier to create.
type supplierPlan struct {
	name  string
	otype suppliers.OrganisationType
	quals map[string]map[string]bool // region -> categories
	id    uuid.UUID
}

func (p *supplierPlan) qualify(region string, categories []string) {
	if p.quals[region] == nil {
		p.quals[region] = map[string]bool{}
	}
	for _, c := range categories {
		p.quals[region][c] = true
	}
}

// contractPlan is a contract to create.
type contractPlan struct {
	reference, ctype, region, pcc string
	prime                         *supplierPlan
	subs                          []*supplierPlan
	sexes                         []contracts.Sex
	minAge                        int
	maxAge                        *int
	coName                        string
	coShare                       *int
	estimate                      int         // estimated referrals a year
	basis                         money.Pence // the basis band's annual price
	bands                         []contracts.Band
	basisBand                     int
	description                   string
	id                            uuid.UUID
}

// catalogue is the planned framework: suppliers and contracts, before creation.
type catalogue struct {
	primes, subs []*supplierPlan
	contracts    []*contractPlan
	demoPrime    *supplierPlan
	demoSub      *supplierPlan
	otherPrime   *supplierPlan
}

func newSupplier(r *rand.Rand, used map[string]bool, otype suppliers.OrganisationType) *supplierPlan {
	for {
		w := placeWords[r.IntN(len(placeWords))]
		var suffix string
		if otype == suppliers.TypeVCSE {
			suffix = vcseSuffixes[r.IntN(len(vcseSuffixes))]
		} else {
			suffix = smeSuffixes[r.IntN(len(smeSuffixes))]
		}
		name := w + " " + suffix
		if otype == suppliers.TypeLarge {
			name = w + " Group plc"
		}
		if !used[name] {
			used[name] = true
			return &supplierPlan{name: name, otype: otype, quals: map[string]map[string]bool{}}
		}
	}
}

// bandsFor builds a year's band table around the estimate and the basis price, shaped like the
// DOMAIN worked example (four bands, basis band 3) or one capped band for small contracts.
func bandsFor(estimate int, basis money.Pence, four bool) ([]contracts.Band, int) {
	round := func(p money.Pence) money.Pence { return p / 100000 * 100000 } // whole £1,000
	if !four {
		return []contracts.Band{{Number: 1, Low: 0, High: estimate * 11 / 10, AnnualPrice: basis}}, 1
	}
	h1, h2, h3, h4 := estimate*4/7, estimate*11/14, estimate, estimate*17/14
	return []contracts.Band{
		{Number: 1, Low: 0, High: h1, AnnualPrice: round(basis.MulDivFloor(15, 23))},
		{Number: 2, Low: h1 + 1, High: h2, AnnualPrice: round(basis.MulDivFloor(19, 23))},
		{Number: 3, Low: h2 + 1, High: h3, AnnualPrice: basis},
		{Number: 4, Low: h3 + 1, High: h4, AnnualPrice: round(basis.MulDivFloor(27, 23))},
	}, 3
}

func pounds(r *rand.Rand, lo, hi int64) money.Pence {
	return money.Pounds((lo + r.Int64N(hi-lo+1)) / 1000 * 1000)
}

// planCatalogue shapes the framework like the first day of the real service
// (../shared/reference/day1_contract_shape.csv): 112 contracts, 26 primes, 80 subcontractors.
func planCatalogue(ref *reference.Data, r *rand.Rand) *catalogue {
	used := map[string]bool{}
	cat := &catalogue{}
	for i := 0; i < 26; i++ {
		t := suppliers.TypeVCSE
		switch i {
		case 23:
			t = suppliers.TypeLarge
		case 24, 25:
			t = suppliers.TypeSME
		}
		cat.primes = append(cat.primes, newSupplier(r, used, t))
	}
	for i := 0; i < 80; i++ {
		t := suppliers.TypeVCSE
		switch {
		case i%6 == 5:
			t = suppliers.TypeSME
		case i%20 == 19:
			t = suppliers.TypeLarge
		}
		cat.subs = append(cat.subs, newSupplier(r, used, t))
	}
	large, sme1, sme2 := cat.primes[23], cat.primes[24], cat.primes[25]
	vcse := cat.primes[:23]
	cat.demoPrime, cat.otherPrime = vcse[0], vcse[1]

	// Each VCSE prime looks after a cluster of regions; the demo prime holds London and Kent, Surrey
	// and Sussex work, the other demo supplier the North East.
	regionPrime := map[string][]*supplierPlan{"J": {vcse[0], vcse[2]}, "K": {vcse[0], vcse[3]}, "A": {vcse[1], vcse[4]}}
	next := 5
	for _, reg := range ref.Regions {
		if _, ok := regionPrime[reg.Code]; !ok {
			regionPrime[reg.Code] = []*supplierPlan{vcse[next%23], vcse[(next+1)%23]}
			next += 2
		}
	}
	pick := func(region string, i int) *supplierPlan { ps := regionPrime[region]; return ps[i%len(ps)] }
	categories := func(t string) []string { ct, _ := ref.ContractType(t); return ct.Categories }
	age25 := 25

	add := func(p *contractPlan) {
		four := p.ctype == "ACC" || p.ctype == "ETE"
		p.bands, p.basisBand = bandsFor(p.estimate, p.basis, four)
		if p.sexes == nil {
			p.sexes = []contracts.Sex{contracts.SexMale, contracts.SexFemale}
		}
		if p.minAge == 0 {
			p.minAge = 18
		}
		region := p.region
		if p.pcc != "" {
			a, _ := ref.PCCArea(p.pcc)
			region = a.RegionCode
		}
		p.prime.qualify(region, categories(p.ctype))
		for i := 0; i < r.IntN(4); i++ {
			s := cat.subs[r.IntN(len(cat.subs))]
			if !containsPlan(p.subs, s) {
				p.subs = append(p.subs, s)
			}
		}
		cat.contracts = append(cat.contracts, p)
	}
	ctName := func(t string) string { ct, _ := ref.ContractType(t); return ct.Name }
	for _, reg := range ref.Regions {
		if reg.Code == "L" {
			continue
		}
		if reg.Code != "D" {
			add(&contractPlan{reference: "ACC-" + reg.Code + "-2021", ctype: "ACC", region: reg.Code, prime: pick(reg.Code, 0),
				estimate: 700 + r.IntN(201), basis: pounds(r, 700_000, 760_000),
				description: ctName("ACC") + " across " + reg.Name + ": finding, securing and keeping a home."})
		}
		etePrime := large
		switch {
		case strings.Contains("FGH", reg.Code):
			etePrime = sme1
		case strings.Contains("IJK", reg.Code):
			etePrime = sme2
		}
		add(&contractPlan{reference: "ETE-" + reg.Code + "-2021", ctype: "ETE", region: reg.Code, prime: etePrime,
			estimate: 800 + r.IntN(101), basis: pounds(r, 1_200_000, 2_000_000),
			description: ctName("ETE") + " across " + reg.Name + "."})
	}
	for _, pa := range ref.PCCAreas {
		code := strings.ToUpper(pa.Code)
		switch pa.RegionCode {
		case "L":
			continue
		case "D":
			add(&contractPlan{reference: "ACC-" + code + "-2021", ctype: "ACC", pcc: pa.Code, prime: pick("D", 0),
				estimate: 700 + r.IntN(201), basis: pounds(r, 700_000, 760_000),
				description: ctName("ACC") + " in " + pa.Name + "."})
			add(&contractPlan{reference: "PWB-" + code + "-18-25", ctype: "PWB", pcc: pa.Code, prime: sme2, maxAge: &age25,
				estimate: 600 + r.IntN(201), basis: pounds(r, 450_000, 600_000),
				description: ctName("PWB") + " in " + pa.Name + " for people aged 18 to 25."})
			add(&contractPlan{reference: "PWB-" + code + "-26-PLUS", ctype: "PWB", pcc: pa.Code, prime: sme2, minAge: 26,
				estimate: 600 + r.IntN(201), basis: pounds(r, 450_000, 600_000),
				description: ctName("PWB") + " in " + pa.Name + " for people aged 26 and over."})
		default:
			add(&contractPlan{reference: "PWB-" + code + "-2021", ctype: "PWB", pcc: pa.Code, prime: pick(pa.RegionCode, 0),
				estimate: 600 + r.IntN(201), basis: pounds(r, 450_000, 600_000),
				description: ctName("PWB") + " in " + pa.Name + "."})
		}
		if pa.RegionCode != "J" {
			add(&contractPlan{reference: "WOS-" + code + "-2021", ctype: "WOS", pcc: pa.Code, prime: pick(pa.RegionCode, 1),
				sexes: []contracts.Sex{contracts.SexFemale}, estimate: 600 + r.IntN(101), basis: pounds(r, 340_000, 380_000),
				description: ctName("WOS") + " in " + pa.Name + ": women-only services."})
		}
	}
	share := 5000
	for _, half := range []string{"NORTH", "SOUTH"} {
		add(&contractPlan{reference: "WOS-LONDON-" + half + "-2021", ctype: "WOS", region: "J", prime: pick("J", 1),
			sexes: []contracts.Sex{contracts.SexFemale}, estimate: 600 + r.IntN(101), basis: pounds(r, 340_000, 380_000),
			coName: "Mayor's Office for Policing and Crime", coShare: &share,
			description: ctName("WOS") + " in " + strings.ToLower(half) + " London, co-commissioned with the Mayor's Office for Policing and Crime."})
	}
	// The demo subcontractor works in the demo prime's London supply chain.
	cat.demoSub = cat.subs[0]
	for _, p := range cat.contracts {
		if p.prime == cat.demoPrime && (p.region == "J" || p.pcc == "metropolitan") && !containsPlan(p.subs, cat.demoSub) {
			p.subs = append(p.subs, cat.demoSub)
		}
		for _, s := range p.subs {
			region := p.region
			if p.pcc != "" {
				a, _ := ref.PCCArea(p.pcc)
				region = a.RegionCode
			}
			s.qualify(region, categories(p.ctype)[:1])
		}
	}
	for _, s := range cat.subs {
		if len(s.quals) == 0 {
			s.qualify(ref.Regions[r.IntN(len(ref.Regions))].Code, []string{ref.Categories[r.IntN(len(ref.Categories))].Code})
		}
	}
	return cat
}

func containsPlan(list []*supplierPlan, s *supplierPlan) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// createCatalogue creates the planned suppliers and contracts through the services, so every rule
// and audit record applies as for a user.
func createCatalogue(ctx context.Context, d Deps, sys actor.Actor, cat *catalogue, r *rand.Rand) error {
	all := append(append([]*supplierPlan{}, cat.primes...), cat.subs...)
	for i, s := range all {
		var quals []suppliers.Qualification
		for region, cs := range s.quals {
			for c := range cs {
				quals = append(quals, suppliers.Qualification{ServiceCategory: c, Region: region})
			}
		}
		slices.SortFunc(quals, func(a, b suppliers.Qualification) int {
			return cmp.Or(strings.Compare(a.Region, b.Region), strings.Compare(a.ServiceCategory, b.ServiceCategory))
		})
		p := suppliers.CreateParams{
			LegalName: s.name, OrganisationType: string(s.otype),
			Address: suppliers.Address{Line1: fmt.Sprintf("%d %s Street", 1+r.IntN(200), strings.Fields(s.name)[0]),
				Town: towns[i%len(towns)], Postcode: fmt.Sprintf("NW%d %dAB", 1+i%9, 1+i%9)},
			Contacts: []suppliers.Contact{
				{Name: "Referrals team", Email: "referrals@" + slug(s.name) + ".example.org", Phone: "0161 496 " + fmt.Sprintf("%04d", i), Role: "referrals"},
				{Name: "Contracts manager", Email: "contracts@" + slug(s.name) + ".example.org", Role: "contracts"},
			},
			Qualifications: quals,
		}
		if s.otype == suppliers.TypeVCSE {
			p.CharityNumber = fmt.Sprintf("%07d", 1100000+i*137)
		} else {
			p.CompaniesHouseNumber = fmt.Sprintf("%08d", 10000000+i*7919)
		}
		created, err := d.Suppliers.Create(ctx, sys, p)
		if err != nil {
			return fmt.Errorf("create supplier %s: %w", s.name, err)
		}
		s.id = created.ID
	}
	for _, c := range cat.contracts {
		var subs []uuid.UUID
		for _, s := range c.subs {
			subs = append(subs, s.id)
		}
		created, err := d.Contracts.Create(ctx, sys, contracts.CreateParams{
			Reference: c.reference, ContractTypeCode: c.ctype, RegionCode: c.region, PCCAreaCode: c.pcc,
			PrimeSupplierID: c.prime.id, SubcontractorIDs: subs, CoCommissionerName: c.coName, CoCommissionerShareBP: c.coShare,
			Eligibility: contracts.Eligibility{Sexes: c.sexes, MinAge: c.minAge, MaxAge: c.maxAge,
				Settings: []contracts.Setting{contracts.SettingCommunity, contracts.SettingLicence, contracts.SettingPreRelease}},
			Start: serviceStart, End: serviceEnd,
			Extensions: []contracts.Extension{
				{Start: extension1[0], End: extension1[1], Taken: true},
				{Start: extension2[0], End: extension2[1]},
			},
			ReferralMailbox: "referrals@" + slug(c.prime.name) + ".example.org",
			Description:     c.description,
		})
		if err != nil {
			return fmt.Errorf("create contract %s: %w", c.reference, err)
		}
		years, err := created.Years()
		if err != nil {
			return fmt.Errorf("years of %s: %w", c.reference, err)
		}
		version := created.Version
		for n := range years {
			ch, err := d.Contracts.ReplaceBands(ctx, sys, created.ID, n+1, version, contracts.ReplaceBandsParams{
				Bands: c.bands, BasisBand: c.basisBand, Reason: "contracted baseline"})
			if err != nil {
				return fmt.Errorf("bands of %s year %d: %w", c.reference, n+1, err)
			}
			version = ch.Version
		}
		c.id = created.ID
	}
	return nil
}

func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
