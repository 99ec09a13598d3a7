package returns

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/opt"
	"github.com/crsplatform/crs/payments"
	"github.com/crsplatform/crs/payments/volumes"
	"github.com/crsplatform/crs/suppliers"
)

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func areaName(ds *dataset, c contracts.Contract) (region, pcc string) {
	if r, ok := ds.Ref.Region(c.Area.RegionCode); ok {
		region = c.Area.RegionCode + " " + r.Name
	}
	if c.Area.PCCAreaCode != "" {
		if p, ok := ds.Ref.PCCArea(c.Area.PCCAreaCode); ok {
			pcc = p.Name
		}
	}
	return region, pcc
}

func typeName(ds *dataset, code string) string {
	if t, ok := ds.Ref.ContractType(code); ok {
		return t.Name
	}
	return code
}

func summarySheet(ds *dataset) sheet {
	return sheet{name: "Summary", table: "Summary", columns: []column{
		{"Contract reference", 26, kText, "The contract's unique reference."},
		{"Contract type", 30, kText, "What the contract delivers: accommodation; education, training and employment; personal wellbeing; women's services."},
		{"Region", 26, kText, "The probation region the contract is in (for a PCC-level contract, its PCC area's region)."},
		{"PCC area", 22, kText, "The Police and Crime Commissioner area of a PCC-level contract; empty for a region-level contract."},
		{"Prime", 34, kText, "The prime provider holding the contract."},
		{"Prime type", 11, kText, "The prime's organisation type: VCSE, SME or LARGE."},
		{"Prime status", 12, kText, "The prime's framework status: active, suspended or removed."},
		{"Contract year", 9, kInt, "The contract year the figures are for: the one containing the data-as-at date."},
		{"Year start", 12, kDate, "The contract year's first day."},
		{"Year end", 12, kDate, "The contract year's last day."},
		{"Payment basis band", 10, kInt, "The payment basis band in force on the data-as-at date (the contracted baseline)."},
		{"Counted YTD", 11, kInt, "Referrals sent in the contract year up to the data-as-at date that count towards volume (drafts and referrals withdrawn as ineligible or made by mistake do not count)."},
		{"Projected", 11, kInt, "Counted YTD x days in the year / days elapsed, rounded down; empty in the year's first 14 days."},
		{"Days elapsed", 9, kInt, "Days from the year's first day to the data-as-at date, both included: what the projection rests on."},
		{"Indicated band", 10, kInt, "The band the projection falls in (counted YTD before there is a projection); below band 1: band 1; above the cap: the top band."},
		{"Cap", 9, kInt, "The volume cap: the top band's high, or the latest cap variation's new cap."},
		{"% of cap", 10, kPercent, "Counted YTD as a share of the cap."},
		{"Status", 9, kText, "GREEN while the projection stays inside the payment basis band; AMBER outside it but under the cap; RED when the projection exceeds the cap or counted YTD reaches 90% of it."},
		{"Annual value", 16, kMoney, "The payment basis band's annual price in force on the data-as-at date."},
		{"Year value", 16, kMoney, "The contract year's value: the annual value pro-rated for a part year; if the basis band changed, the months' exact amounts summed (a complete year) or each price pro-rated by its days (a part year)."},
		{"Paid YTD", 16, kMoney, "Monthly entitlements paid for the contract year on or before the data-as-at date (a month shared by two years split in proportion to its entitlement)."},
	}, rows: func(emit func([]any) error) error {
		for _, c := range ds.Contracts {
			p := c.Picture
			region, pcc := areaName(ds, c.Contract)
			var yearValue money.Pence
			if e, ok, err := payments.ScheduleOf(c.Year); err == nil && ok {
				yearValue = e.Value
			}
			row := []any{c.Reference, typeName(ds, c.ContractTypeCode), region, pcc, c.Prime.LegalName, string(c.Prime.OrganisationType),
				string(c.Prime.Status), p.Year.Number, p.Year.Start, p.Year.End, optInt(p.BasisBand), p.CountedYTD, p.Projected, p.DaysElapsed,
				optInt(p.IndicatedBand), p.Cap, p.PercentOfCapBP, string(p.Status), p.BasisPrice, yearValue, c.PaidYTD}
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	}}
}

func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func bandsSheet(ds *dataset) sheet {
	return sheet{name: "Bands", table: "Bands", columns: []column{
		{"Contract reference", 26, kText, "The contract."},
		{"Contract year", 9, kInt, "The contract year (from the start date's anniversary)."},
		{"Year start", 12, kDate, "The year's first day."},
		{"Year end", 12, kDate, "The year's last day."},
		{"Part year", 8, kText, "Yes when the contract ends before the year is complete; its value is pro-rated."},
		{"Band", 7, kInt, "The band number; bands rise with volume and price."},
		{"Low", 9, kInt, "The band's lowest referral count (inclusive)."},
		{"High", 9, kInt, "The band's highest referral count (inclusive); the top band's high is the volume cap."},
		{"Annual price", 16, kMoney, "The band's agreed annual price."},
		{"Payment basis", 9, kText, "Yes for the payment basis band in force on the data-as-at date (or the year's last day)."},
	}, rows: func(emit func([]any) error) error {
		for _, c := range ds.Contracts {
			for _, y := range c.Years {
				day := ds.AsOf
				if day.After(y.End) {
					day = y.End
				}
				basis := 0
				if bp, ok := y.BasisOn(day); ok {
					basis = bp.Band.Number
				}
				for _, b := range y.Bands {
					if err := emit([]any{c.Reference, y.Number, y.Start, y.End, yesNo(y.PartYear), b.Number, b.Low, b.High, b.AnnualPrice, yesNo(b.Number == basis)}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}}
}

func monthlySheet(ds *dataset) sheet {
	cats := make([]string, 0, len(ds.Ref.Categories))
	cols := []column{
		{"Contract reference", 26, kText, "The contract."},
		{"Contract year", 9, kInt, "The contract year."},
		{"Month", 12, kDate, "The calendar month (its first day); the year's first and last months may be part months."},
		{"Referrals", 10, kInt, "Referrals sent in the month (within the contract year, up to the data-as-at date) that count towards volume."},
	}
	for _, c := range ds.Ref.Categories {
		cats = append(cats, c.Code)
		cols = append(cols, column{c.Name, 14, kInt, "Counted referrals of the month that chose the " + c.Name + " service category (a referral with two categories counts in both)."})
	}
	levels := []string{"LOW", "MEDIUM", "HIGH"}
	for _, l := range levels {
		cols = append(cols, column{"Complexity " + l, 12, kInt, "Service category choices of the month's counted referrals at complexity level " + l + "."})
	}
	return sheet{name: "Monthly volumes", table: "MonthlyVolumes", columns: cols, rows: func(emit func([]any) error) error {
		for _, c := range ds.Contracts {
			p := c.Picture
			byMonth := map[calendar.Month]volumes.MonthVolume{}
			for _, m := range p.Months {
				byMonth[m.Month] = m
			}
			last := ds.AsOf
			if last.After(p.Year.End) {
				last = p.Year.End
			}
			for m := p.Year.Start.CalendarMonth(); !m.After(last.CalendarMonth()); m = m.Next() {
				mv := byMonth[m]
				row := []any{c.Reference, p.Year.Number, m.First(), mv.Referrals}
				for _, cat := range cats {
					row = append(row, mv.ByCategory[cat])
				}
				for _, l := range levels {
					row = append(row, mv.ByComplexity[l])
				}
				if err := emit(row); err != nil {
					return err
				}
			}
		}
		return nil
	}}
}

func supplyChainSheet(ds *dataset) sheet {
	type share struct {
		value     money.Pence
		contracts int
	}
	shares := map[suppliers.OrganisationType]*share{}
	var total money.Pence
	for _, c := range ds.Contracts {
		s := shares[c.Prime.OrganisationType]
		if s == nil {
			s = &share{}
			shares[c.Prime.OrganisationType] = s
		}
		s.value += c.Picture.BasisPrice
		s.contracts++
		total += c.Picture.BasisPrice
	}
	after := [][]any{{"Value of contracts by the prime's organisation type (annual values in force on the data-as-at date; the platform records no subcontract values)"},
		{"Organisation type", "Contracts as prime", "Annual value (pence)", "Share (%)"}}
	for _, t := range []suppliers.OrganisationType{suppliers.TypeVCSE, suppliers.TypeSME, suppliers.TypeLarge} {
		s := shares[t]
		if s == nil {
			s = &share{}
		}
		bp := int64(0)
		if total > 0 {
			bp = (int64(s.value)*10000 + int64(total)/2) / int64(total)
		}
		after = append(after, []any{string(t), s.contracts, int64(s.value), fmt.Sprintf("%d.%02d", bp/100, bp%100)})
	}
	after = append(after, []any{"All", len(ds.Contracts), int64(total), "100.00"})
	return sheet{name: "Supply chain", table: "SupplyChain", columns: []column{
		{"Contract reference", 26, kText, "The contract."},
		{"Role", 14, kText, "Prime (holds the contract) or subcontractor (delivers part of it)."},
		{"Supplier", 36, kText, "The organisation's legal name."},
		{"Organisation type", 11, kText, "VCSE (voluntary, community or social enterprise), SME or LARGE."},
		{"Supplier status", 12, kText, "Framework status: active, suspended or removed."},
		{"In supply chain since", 14, kDate, "For a subcontractor, the day it joined the supply chain."},
		{"Annual value", 16, kMoney, "For the prime, the contract's annual value (payment basis band price in force)."},
	}, after: after, rows: func(emit func([]any) error) error {
		for _, c := range ds.Contracts {
			if err := emit([]any{c.Reference, "Prime", c.Prime.LegalName, string(c.Prime.OrganisationType), string(c.Prime.Status), calendar.Date{}, c.Picture.BasisPrice}); err != nil {
				return err
			}
			for _, s := range c.Subcontractors {
				if err := emit([]any{c.Reference, "Subcontractor", s.Supplier.LegalName, string(s.Supplier.OrganisationType), string(s.Supplier.Status), s.AddedOn, nil}); err != nil {
					return err
				}
			}
		}
		return nil
	}}
}

func referralsSheet(ctx context.Context, pool *pgxpool.Pool, ids []uuid.UUID, from, to calendar.Date) sheet {
	return sheet{name: "Referrals", table: "Referrals", columns: []column{
		{"Referral reference", 14, kText, "The referral's reference; no names or case reference numbers are included."},
		{"Contract reference", 26, kText, "The contract referred to."},
		{"Contract type", 8, kText, "The contract type code."},
		{"Region", 8, kText, "The contract's region code."},
		{"Service categories", 40, kText, "The service categories chosen."},
		{"Complexity", 50, kText, "The complexity level chosen for each category."},
		{"Sent", 12, kDate, "The day the referral was sent (its UK date)."},
		{"Status", 24, kText, "Where the referral is in its lifecycle."},
		{"End state", 18, kText, "For a concluded referral: CANCELLED (no session attended), PREMATURELY_ENDED (some) or COMPLETED (all)."},
		{"Withdrawal reason", 10, kText, "The withdrawal reason code, when withdrawn."},
		{"Counts towards volume", 10, kText, "Yes unless withdrawn with a reason that does not count (ineligible, mistake or duplicate)."},
	}, rows: func(emit func([]any) error) error {
		// The database read runs ahead of the writer on its own goroutine, so that reading a million
		// rows and writing them overlap instead of adding up.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		ch := make(chan referralRow, 4096)
		errc := make(chan error, 1)
		go func() {
			defer close(ch)
			errc <- eachReferral(ctx, pool, ids, from, to, func(r referralRow) error {
				select {
				case ch <- r:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}()
		row := make([]any, 11)
		for r := range ch {
			row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] = r.Reference, r.Contract, r.ContractType, r.Region, r.Categories, r.Complexity, r.SentOn, r.Status
			row[8], row[9], row[10] = opt.Value(r.EndState), opt.Value(r.Withdrawal), yesNo(r.Counted)
			if err := emit(row); err != nil {
				cancel()
				for range ch {
				}
				return err
			}
		}
		return <-errc
	}}
}

func alertsSheet(ds *dataset) sheet {
	return sheet{name: "Alerts", table: "Alerts", columns: []column{
		{"Contract reference", 26, kText, "The contract."},
		{"Contract year", 9, kInt, "The contract year."},
		{"Kind", 16, kText, "AMBER, RED, NINETY_PERCENT (counted YTD reached 90% of the cap) or CAP_REACHED; each is raised once per contract and year."},
		{"Raised", 17, kTime, "When the alert was raised (UTC)."},
		{"As of", 12, kDate, "The day the reconciliation that raised it was as of."},
		{"Counted", 9, kInt, "Counted YTD then."},
		{"Projected", 9, kInt, "The projection then."},
		{"Cap", 9, kInt, "The cap then."},
		{"Message", 90, kText, "What the alert said."},
	}, rows: func(emit func([]any) error) error {
		for _, a := range ds.Alerts {
			if err := emit([]any{a.Reference, a.YearNumber, string(a.Kind), a.RaisedAt, a.AsOf, a.CountedYTD, a.Projected, a.Cap, a.Message}); err != nil {
				return err
			}
		}
		return nil
	}}
}

func reconciliationSheet(ds *dataset) sheet {
	return sheet{name: "Reconciliation", table: "Reconciliation", columns: []column{
		{"Contract reference", 26, kText, "The contract."},
		{"Contract year", 9, kInt, "An ended contract year."},
		{"Year start", 12, kDate, "The year's first day."},
		{"Year end", 12, kDate, "The year's last day."},
		{"Counted volume", 10, kInt, "Referrals sent in the year that count towards volume."},
		{"Binding band", 9, kInt, "The band containing the counted volume."},
		{"Rule applied", 40, kText, "Within a band; below band 1 (band 1, the guaranteed minimum income); or above the cap (the top band, the excess reported as over-cap referrals)."},
		{"Over-cap referrals", 10, kInt, "Counted referrals beyond the cap."},
		{"Price", 16, kMoney, "The binding band's annual price, pro-rated for a part year."},
		{"Entitlements paid", 16, kMoney, "Monthly entitlements paid for the year on or before the data-as-at date."},
		{"Balance", 16, kMoney, "Price minus entitlements paid: positive, a balancing payment is due; negative, a recovery."},
		{"Recovery", 16, kMoney, "The recovery recorded for a negative balance, if any."},
		{"Recovery status", 12, kText, "OUTSTANDING until an admin settles it, then SETTLED."},
	}, rows: func(emit func([]any) error) error {
		for _, c := range ds.Contracts {
			for _, p := range c.Ended {
				b := p.Binding
				if b == nil {
					continue
				}
				var recAmount *money.Pence
				recStatus := ""
				if r, ok := ds.Recoveries[recoveryKey{c.ID, p.Year.Number}]; ok {
					amt := money.Pence(r.AmountPence)
					recAmount, recStatus = &amt, r.Status
				}
				if err := emit([]any{c.Reference, p.Year.Number, p.Year.Start, p.Year.End, p.CountedYTD, b.Band, b.Rule, b.OverCap,
					b.Price, b.EntitlementsPaid, b.Balance, recAmount, recStatus}); err != nil {
					return err
				}
			}
		}
		return nil
	}}
}

// check is one consistency check of the Checks sheet.
type check struct {
	name, subject, expected, actual string
	pass                            bool
}

func checksSheet(ds *dataset, checks []check) sheet {
	return sheet{name: "Checks", table: "Checks", columns: []column{
		{"Check", 44, kText, "What is checked."},
		{"Subject", 34, kText, "The contract (and year or month) checked."},
		{"Expected", 18, kText, "The figure the check expects."},
		{"Actual", 18, kText, "The figure found."},
		{"Result", 8, kText, "PASS or FAIL."},
	}, rows: func(emit func([]any) error) error {
		for _, c := range checks {
			res := "FAIL"
			if c.pass {
				res = "PASS"
			}
			if err := emit([]any{c.name, c.subject, c.expected, c.actual, res}); err != nil {
				return err
			}
		}
		return nil
	}}
}

// runChecks computes the automatic consistency checks.
func runChecks(ds *dataset) []check {
	var out []check
	for _, c := range ds.Contracts {
		sum := 0
		for _, m := range c.Picture.Months {
			sum += m.Referrals
		}
		out = append(out, check{name: "Monthly volumes add up to counted YTD", subject: fmt.Sprintf("%s year %d", c.Reference, c.Picture.Year.Number),
			expected: fmt.Sprint(c.IndependentYTD), actual: fmt.Sprint(sum), pass: sum == c.IndependentYTD})
		for _, y := range c.Years {
			err := contracts.ValidateBands(y.Bands)
			out = append(out, check{name: "Bands contiguous from 0, prices rising", subject: fmt.Sprintf("%s year %d", c.Reference, y.Number),
				expected: "valid", actual: errText(err), pass: err == nil})
			if e, ok, err := payments.ScheduleOf(y); err == nil && ok {
				var total money.Pence
				for _, m := range e.Months {
					total += m.Amount
				}
				out = append(out, check{name: "Monthly entitlements add up to the year's value", subject: fmt.Sprintf("%s year %d", c.Reference, y.Number),
					expected: e.Value.String(), actual: total.String(), pass: total == e.Value})
			}
		}
		out = append(out, paymentChecks(ds, c)...)
	}
	return out
}

// paymentChecks verifies that no month's approved (and paid) total exceeds its entitlement.
func paymentChecks(ds *dataset, c contractFigures) []check {
	schedules, err := payments.Schedules(c.WithYears)
	if err != nil {
		return []check{{name: "Entitlement schedule computable", subject: c.Reference, expected: "yes", actual: err.Error()}}
	}
	approved := map[calendar.Month]money.Pence{}
	for _, r := range ds.Requests {
		if r.ContractID == c.ID && r.Kind == "MONTHLY" && (r.StatusAsAt == "APPROVED" || r.StatusAsAt == "PAID") {
			approved[r.Period] += r.Amount
		}
	}
	var out []check
	for _, m := range slices.SortedFunc(maps.Keys(approved), func(a, b calendar.Month) int { return a.Compare(b) }) {
		ent, _ := payments.MonthEntitlementOf(schedules, m)
		out = append(out, check{name: "Approved payments within the month's entitlement", subject: fmt.Sprintf("%s %s", c.Reference, m),
			expected: "<= " + ent.String(), actual: approved[m].String(), pass: approved[m] <= ent})
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return "valid"
	}
	return strings.TrimSpace(err.Error())
}
