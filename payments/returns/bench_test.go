package returns

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/opt"
	"github.com/crsplatform/crs/internal/queue"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/payments"
)

// peakRSS reads the process's peak resident set size (VmHWM) in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// profileIf writes a CPU profile of what follows to path, when set (CRS_BENCH_CPUPROFILE).
func profileIf(b *testing.B, path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }
}

// BenchmarkReturnMillionReferrals builds a regional return whose Referrals sheet has 1,000,000 rows,
// end to end (gather, every sheet, store the file), and compares it with a bare StreamWriter writing
// the same million rows, timed in the same run on the same data.
func BenchmarkReturnMillionReferrals(b *testing.B) {
	const referralsN = 1_000_000
	d := dbtest.New(b)
	db := d.Gorm
	ctx := context.Background()
	today := calendar.Today(time.Now())
	period := today.CalendarMonth().Prev()
	prime := factory.Supplier(b, db, factory.SupplierOpts{})
	var ids []uuid.UUID
	for i := 0; i < 20; i++ {
		ids = append(ids, factory.Contract(b, db, factory.ContractOpts{Reference: fmt.Sprintf("BENCH-J-%02d", i), Prime: prime,
			Start: period.AddMonths(-3).First(), Bands: []factory.Band{{Low: 0, High: 100_000, Price: 90_000_000}}}))
	}
	t0 := time.Now()
	factory.BulkReferrals(b, db, ids, referralsN, period.First(), period.Last())
	b.Logf("loaded %d referrals in %s", referralsN, time.Since(t0).Round(time.Millisecond))
	ref, err := reference.Load(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := queue.NewInserter(d.SQL)
	if err != nil {
		b.Fatal(err)
	}
	svc := NewService(db, Config{Pool: d.Pool, Reference: ref, Payments: payments.NewService(db, payments.Config{}), Inserter: ins})
	// Warm the cache the way any run after the first would find it.
	if err := db.Exec(`SELECT count(*) FROM referrals r JOIN referral_service_categories c ON c.referral_id = r.id`).Error; err != nil {
		b.Fatal(err)
	}

	var rows []referralRow
	bare := func() {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]any, 11)
		for n, r := range rows {
			vals[0], vals[1], vals[2], vals[3], vals[4], vals[5] = r.Reference, r.Contract, r.ContractType, r.Region, r.Categories, r.Complexity
			vals[6], vals[7], vals[8], vals[9], vals[10] = r.SentOn.Time(), r.Status, opt.Value(r.EndState), opt.Value(r.Withdrawal), yesNo(r.Counted)
			cell, _ := excelize.CoordinatesToCellName(1, n+1)
			if err := sw.SetRow(cell, vals); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
	}
	build := func() int64 {
		r, err := svc.Request(ctx, actor.System("bench"), RequestParams{Scope: "region", Region: "J", Period: period.String()})
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.Build(ctx, r.ID, 1); err != nil {
			b.Fatal(err)
		}
		got, err := svc.Get(ctx, actor.System("bench"), r.ID)
		if err != nil || got.Status != StatusReady {
			b.Fatalf("return %+v %v", got, err)
		}
		return got.FileSize
	}

	// The first build runs alone, so that the process's peak memory is the return's (the bare
	// reference holds a million rows in memory); then the two alternate and the medians compare.
	stopProfile := profileIf(b, os.Getenv("CRS_BENCH_CPUPROFILE"))
	s := time.Now()
	size := build()
	first := time.Since(s)
	stopProfile()
	peak := peakRSS()
	// The bare reference: the same rows, already in memory, written by a bare StreamWriter.
	if err := eachReferral(ctx, d.Pool, ids, period.First(), period.Last(), func(r referralRow) error { rows = append(rows, r); return nil }); err != nil {
		b.Fatal(err)
	}
	if len(rows) != referralsN {
		b.Fatalf("%d rows", len(rows))
	}
	var tReturn, tBare []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tReturn = append(tReturn, first)
		for round := 0; round < 3; round++ {
			s := time.Now()
			bare()
			tBare = append(tBare, time.Since(s))
			if round < 2 {
				s = time.Now()
				build()
				tReturn = append(tReturn, time.Since(s))
			}
		}
	}
	b.StopTimer()
	mr, mb := median(tReturn), median(tBare)
	ratio := float64(mr) / float64(mb)
	b.ReportMetric(float64(mr.Milliseconds()), "return-ms")
	b.ReportMetric(float64(mb.Milliseconds()), "bare-streamwriter-ms")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MB")
	fmt.Printf("return with %d referral rows (%d MB file): median %s end to end (runs %v), bare StreamWriter of the same rows median %s (runs %v), ratio %.2f (aim <= 1.2); peak RSS during the return %d MB (aim < 400)\n",
		referralsN, size>>20, mr.Round(time.Millisecond), rounded(tReturn), mb.Round(time.Millisecond), rounded(tBare), ratio, peak>>20)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func rounded(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(100 * time.Millisecond)
	}
	return out
}
