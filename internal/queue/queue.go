// Package queue wires River: an insert-only client on the database/sql driver, so that jobs are
// inserted in the same transaction as the GORM writes that imply them, and a worker client on the pgx
// driver that works them (LISTEN/NOTIFY, leader election for periodic jobs, the admin UI), with
// Prometheus metrics of jobs by kind and outcome.
package queue

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/db"
)

// Queue names.
const (
	// QueueDefault carries notifications, volume refreshes and housekeeping.
	QueueDefault = river.QueueDefault
	// QueueReports carries heavy jobs (Excel returns, full reconciliations), worked a few at a time.
	QueueReports = "reports"
)

// Inserter inserts jobs inside GORM transactions.
type Inserter struct {
	client *river.Client[*sql.Tx]
}

// NewInserter builds the insert-only client. It never works jobs.
func NewInserter(sqlDB *sql.DB) (*Inserter, error) {
	c, err := river.NewClient(riverdatabasesql.New(sqlDB), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("river insert client: %w", err)
	}
	return &Inserter{client: c}, nil
}

// InsertTx inserts a job in the GORM transaction tx: it exists if and only if tx commits.
func (i *Inserter) InsertTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) error {
	sqlTx, err := db.SQLTx(tx)
	if err != nil {
		return fmt.Errorf("insert %s job: %w", args.Kind(), err)
	}
	if _, err := i.client.InsertTx(ctx, sqlTx, args, opts); err != nil {
		return fmt.Errorf("insert %s job: %w", args.Kind(), err)
	}
	return nil
}

// WorkerConfig configures the worker client.
type WorkerConfig struct {
	MaxWorkers int
	// JobTimeout bounds a job whose worker sets no Timeout of its own; zero means one minute.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken for the job of a dead worker
	// and retried (never before its own timeout has passed); zero means JobTimeout plus one minute.
	RescueAfter time.Duration
	Workers     *river.Workers
	Periodic    []*river.PeriodicJob
	Logger      *slog.Logger
	// Registry receives job metrics; nil for none.
	Registry prometheus.Registerer
}

// NewWorkerClient builds the client that works jobs; without Workers it only reads and manages jobs
// (the admin UI of a process that does not work them). Start it with Start and stop it with Stop, which
// waits for running jobs to finish.
func NewWorkerClient(pool *pgxpool.Pool, cfg WorkerConfig) (*river.Client[pgx.Tx], error) {
	reports := cfg.MaxWorkers / 4
	if reports < 1 {
		reports = 1
	}
	var queues map[string]river.QueueConfig
	if cfg.Workers != nil {
		queues = map[string]river.QueueConfig{
			QueueDefault: {MaxWorkers: cfg.MaxWorkers},
			QueueReports: {MaxWorkers: reports},
		}
	}
	jobTimeout := cfg.JobTimeout
	if jobTimeout <= 0 {
		jobTimeout = time.Minute
	}
	rescueAfter := cfg.RescueAfter
	if rescueAfter < jobTimeout {
		rescueAfter = jobTimeout + time.Minute
	}
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               queues,
		Workers:              cfg.Workers,
		PeriodicJobs:         cfg.Periodic,
		Logger:               riverLogger(cfg.Logger),
		FetchPollInterval:    250 * time.Millisecond,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: rescueAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("river worker client: %w", err)
	}
	return c, nil
}

// riverLogger is the logger River's client writes to; nil discards.
func riverLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Metrics counts worked jobs by kind and outcome and times them.
type Metrics struct {
	jobs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the job metrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "crs", Name: "river_jobs_total",
			Help: "River jobs worked, by kind and outcome."}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "crs", Name: "river_job_duration_seconds",
			Help: "Time River jobs spent running, by kind.", Buckets: prometheus.DefBuckets}, []string{"kind"}),
	}
	reg.MustRegister(m.jobs, m.duration)
	return m
}

// Observe follows the client's job events until ctx ends. Start the client first.
func (m *Metrics) Observe(ctx context.Context, c *river.Client[pgx.Tx]) {
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed)
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				m.jobs.WithLabelValues(ev.Job.Kind, string(ev.Kind)).Inc()
				if ev.JobStats != nil {
					m.duration.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.RunDuration.Seconds())
				}
			}
		}
	}()
}

// PoolCollector exposes the pgx pool's statistics.
type PoolCollector struct {
	pool  *pgxpool.Pool
	descs map[string]*prometheus.Desc
}

// NewPoolCollector returns a collector of the pool's statistics.
func NewPoolCollector(pool *pgxpool.Pool) *PoolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("crs_db_pool_"+name, help, nil, nil)
	}
	return &PoolCollector{pool: pool, descs: map[string]*prometheus.Desc{
		"max":      d("max_conns", "Maximum connections of the pool."),
		"total":    d("total_conns", "Open connections."),
		"idle":     d("idle_conns", "Idle connections."),
		"acquired": d("acquired_conns", "Connections in use."),
		"waits":    d("empty_acquire_total", "Acquires that had to wait for a connection."),
		"acquires": d("acquire_total", "Connections acquired."),
	}}
}

// Describe implements prometheus.Collector.
func (p *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range p.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (p *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.pool.Stat()
	ch <- prometheus.MustNewConstMetric(p.descs["max"], prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(p.descs["total"], prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(p.descs["idle"], prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(p.descs["acquired"], prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(p.descs["waits"], prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(p.descs["acquires"], prometheus.CounterValue, float64(s.AcquireCount()))
}
