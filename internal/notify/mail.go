package notify

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Mailer sends e-mail.
type Mailer interface {
	Send(ctx context.Context, to []string, subject, body string) error
}

// SMTPConfig configures SMTPMailer.
type SMTPConfig struct {
	Addr     string
	From     string
	Username string
	Password string
}

// SMTPMailer sends plain-text mail through an SMTP server.
type SMTPMailer struct{ cfg SMTPConfig }

// NewSMTPMailer returns a mailer, or nil when no server is configured (e-mail off).
func NewSMTPMailer(cfg SMTPConfig) Mailer {
	if cfg.Addr == "" {
		return nil
	}
	return &SMTPMailer{cfg: cfg}
}

// Send implements Mailer.
func (m *SMTPMailer) Send(ctx context.Context, to []string, subject, body string) error {
	if len(to) == 0 {
		return nil
	}
	for _, addr := range append([]string{m.cfg.From}, to...) {
		if strings.ContainsAny(addr, "\r\n") {
			return fmt.Errorf("send mail: invalid address %q", addr)
		}
	}
	subject = strings.NewReplacer("\r", " ", "\n", " ").Replace(subject)
	msg := "From: " + m.cfg.From + "\r\nTo: " + strings.Join(to, ", ") + "\r\nSubject: " + subject +
		"\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
	var auth smtp.Auth
	if m.cfg.Username != "" {
		host, _, _ := net.SplitHostPort(m.cfg.Addr)
		auth = smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, host)
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.cfg.Addr, auth, m.cfg.From, to, []byte(msg)) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("send mail: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// EmailArgs is a River job that e-mails users (their addresses are read when the job runs). Services
// insert it in the transaction of the change it reports, next to the in-app notifications.
type EmailArgs struct {
	UserIDs []uuid.UUID `json:"user_ids"`
	// To are extra addresses, such as a contract's referral mailbox.
	To      []string `json:"to,omitempty"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
}

// Kind implements river.JobArgs.
func (EmailArgs) Kind() string { return "notify_email" }
