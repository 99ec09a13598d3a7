package returns

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime/pprof"
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
	"github.com/crsplatform/crs/internal/page"
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

func mustLatest(b *testing.B, svc *Service) uuid.UUID {
	b.Helper()
	res, err := svc.List(context.Background(), actor.System("bench"), page.Params{Limit: 1})
	if err != nil || len(res.Items) == 0 {
		b.Fatalf("latest return: %v", err)
	}
	return res.Items[0].ID
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

	var tReturn, tBare time.Duration
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := svc.Request(ctx, actor.System("bench"), RequestParams{Scope: "region", Region: "J", Period: period.String()})
		if err != nil {
			b.Fatal(err)
		}
		stopProfile := profileIf(b, os.Getenv("CRS_BENCH_CPUPROFILE"))
		s := time.Now()
		if err := svc.Build(ctx, r.ID, 1); err != nil {
			b.Fatal(err)
		}
		tReturn += time.Since(s)
		stopProfile()
		got, err := svc.Get(ctx, actor.System("bench"), r.ID)
		if err != nil || got.Status != StatusReady {
			b.Fatalf("return %+v %v", got, err)
		}
		size = int(got.FileSize)
	}
	peak := peakRSS()

	// Where the time goes: gathering the figures, then writing the workbook, for one more build.
	r, err := getReturn(ctx, db, mustLatest(b, svc))
	if err != nil {
		b.Fatal(err)
	}
	asOf := asOfDay(r.ret(), today)
	portfolio, err := portfolioOf(ctx, db, r.ret(), asOf)
	if err != nil {
		b.Fatal(err)
	}
	s := time.Now()
	if _, err := gather(ctx, db, ref, r.ret(), asOf, today, portfolio); err != nil {
		b.Fatal(err)
	}
	tGather := time.Since(s)
	s = time.Now()
	if _, err := svc.build(ctx, r.ret()); err != nil {
		b.Fatal(err)
	}
	tBuild := time.Since(s)
	fmt.Printf("  phases: gathering the figures alone %s; a whole build in memory (gathering overlapped with the Referrals sheet) %s; the rest of the end-to-end time stores the file\n",
		tGather.Round(time.Millisecond), tBuild.Round(time.Millisecond))

	// The bare reference: the same rows, already in memory, written by a bare StreamWriter.
	var rows []referralRow
	if err := eachReferral(ctx, d.Pool, ids, period.First(), period.Last(), func(r referralRow) error { rows = append(rows, r); return nil }); err != nil {
		b.Fatal(err)
	}
	if len(rows) != referralsN {
		b.Fatalf("%d rows", len(rows))
	}
	for i := 0; i < b.N; i++ {
		s := time.Now()
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]any, 11)
		for n, r := range rows {
			vals[0], vals[1], vals[2], vals[3], vals[4], vals[5] = r.Reference, r.Contract, r.ContractType, r.Region, r.Categories, r.Complexity
			vals[6], vals[7], vals[8], vals[9], vals[10] = r.SentOn.Time(), r.Status, deref(r.EndState), deref(r.Withdrawal), yesNo(r.Counted)
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
		_ = f.Close()
		tBare += time.Since(s)
	}
	b.StopTimer()
	ratio := float64(tReturn) / float64(tBare)
	b.ReportMetric(float64(tReturn.Milliseconds())/float64(b.N), "return-ms")
	b.ReportMetric(float64(tBare.Milliseconds())/float64(b.N), "bare-streamwriter-ms")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MB")
	fmt.Printf("return with %d referral rows (%d MB file): %s end to end, bare StreamWriter of the same rows %s, ratio %.2f (aim <= 1.2); peak RSS during the return %d MB (aim < 400)\n",
		referralsN, size>>20, (tReturn / time.Duration(b.N)).Round(time.Millisecond), (tBare / time.Duration(b.N)).Round(time.Millisecond), ratio, peak>>20)
}
