package notify

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/wneessen/go-mail"
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

// SMTPMailer sends plain-text mail through an SMTP server with go-mail: STARTTLS whenever the server
// offers it, authentication (the strongest mechanism the server offers) when a username is set,
// addresses and headers checked and encoded by the library.
type SMTPMailer struct{ cfg SMTPConfig }

// NewSMTPMailer returns a mailer, or nil when no server is configured (e-mail off).
func NewSMTPMailer(cfg SMTPConfig) Mailer {
	if cfg.Addr == "" {
		return nil
	}
	return &SMTPMailer{cfg: cfg}
}

// sendTimeout bounds one delivery (connection and conversation) when ctx has no earlier deadline.
const sendTimeout = 30 * time.Second

// Send implements Mailer. An address the library refuses (a header injection, say) is an error
// before anything is sent.
func (m *SMTPMailer) Send(ctx context.Context, to []string, subject, body string) error {
	if len(to) == 0 {
		return nil
	}
	msg := mail.NewMsg()
	if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("send mail: sender %q: %w", m.cfg.From, err)
	}
	if err := msg.To(to...); err != nil {
		return fmt.Errorf("send mail: recipients: %w", err)
	}
	msg.Subject(subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, body)

	host, portStr, err := net.SplitHostPort(m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("send mail: CRS_SMTP_ADDR %q: %w", m.cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("send mail: CRS_SMTP_ADDR port %q: %w", portStr, err)
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTLSPolicy(mail.TLSOpportunistic), mail.WithTimeout(sendTimeout)}
	if m.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.cfg.Username), mail.WithPassword(m.cfg.Password))
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
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
