package returns

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/queue"
)

// Scope is what a return covers.
type Scope string

// The scopes of a return.
const (
	ScopeNational Scope = "national"
	ScopeRegion   Scope = "region"
)

// Status is where a return is in its life.
type Status string

// The statuses of a return.
const (
	StatusQueued  Status = "queued"
	StatusRunning Status = "running"
	StatusReady   Status = "ready"
	StatusFailed  Status = "failed"
)

// Return is a requested workbook.
type Return struct {
	ID          uuid.UUID
	Scope       Scope
	Region      string
	Period      calendar.Month
	Status      Status
	RequestedBy *uuid.UUID
	Failure     string
	FileName    string
	FileSize    int64
	FileSHA256  string
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	// Stuck is set on a running return whose build has run past its timeout: its worker died or hangs.
	// River retries the build once it rescues the job; a user may retry it at once (Service.Retry).
	Stuck bool
}

// FileNameFor is the download name: crs-return-<scope>-<period>.xlsx, e.g.
// crs-return-region-J-london-2026-10.xlsx.
func FileNameFor(scope Scope, region, regionName string, period calendar.Month) string {
	if scope == ScopeNational {
		return fmt.Sprintf("crs-return-national-%s.xlsx", period)
	}
	slug := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return '-'
	}, regionName)
	for strings.Contains(slug, "--") {
		slug = strings.ReplaceAll(slug, "--", "-")
	}
	return fmt.Sprintf("crs-return-region-%s-%s-%s.xlsx", region, strings.Trim(slug, "-"), period)
}

// BuildArgs is the River job that builds a return.
type BuildArgs struct {
	ReturnID uuid.UUID `json:"return_id"`
}

// Kind implements river.JobArgs.
func (BuildArgs) Kind() string { return "build_return" }

// MaxAttempts is how often a build is tried before the return is marked failed.
const MaxAttempts = 3

// InsertOpts puts builds on the reports queue with few attempts: a failure is usually in the data.
func (BuildArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.QueueReports, MaxAttempts: MaxAttempts}
}

// MonthlyArgs is the periodic job that requests the national and every regional return for the
// previous month.
type MonthlyArgs struct{}

// Kind implements river.JobArgs.
func (MonthlyArgs) Kind() string { return "monthly_returns" }

// InsertOpts makes the monthly request unique per day.
func (MonthlyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
}
