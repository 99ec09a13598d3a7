package jobs

import (
	"context"
	"fmt"
	"slices"

	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/internal/notify"
)

// EmailWorker sends notify.EmailArgs jobs through the configured mailer; without one (no SMTP
// configured) it completes at once, since the in-app notification was already written.
type EmailWorker struct {
	river.WorkerDefaults[notify.EmailArgs]
	directory *notify.Directory
	mailer    notify.Mailer
}

// Work implements river.Worker.
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[notify.EmailArgs]) error {
	if w.mailer == nil {
		return nil
	}
	to, err := w.directory.Emails(ctx, job.Args.UserIDs)
	if err != nil {
		return err
	}
	to = append(to, job.Args.To...)
	slices.Sort(to)
	to = slices.Compact(to)
	if len(to) == 0 {
		return nil
	}
	if err := w.mailer.Send(ctx, to, job.Args.Subject, job.Args.Body); err != nil {
		return fmt.Errorf("email %q: %w", job.Args.Subject, err)
	}
	return nil
}
