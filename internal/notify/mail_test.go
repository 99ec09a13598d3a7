package notify

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
)

// smtpServer is a minimal local SMTP server (no TLS, no authentication) that records the messages it
// receives: the real protocol, without a mail system.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	reply := func(line string) { _, _ = w.WriteString(line + "\r\n"); _ = w.Flush() }
	reply("220 localhost ESMTP test")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250-localhost")
			reply("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
			reply("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[len("RCPT TO:"):]))
			s.mu.Unlock()
			reply("250 OK")
		case cmd == "DATA":
			reply("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func TestSMTPMailerSends(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t)
	m := NewSMTPMailer(SMTPConfig{Addr: srv.ln.Addr().String(), From: "crs-noreply@example.org"})
	if err := m.Send(context.Background(), []string{"a@example.org", "b@example.org"}, "Referral sent: ABC1234AC", "Hello,\nA referral was sent."); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.msgs) != 1 || len(srv.rcpt) != 2 {
		t.Fatalf("%d messages to %v, want one to two recipients", len(srv.msgs), srv.rcpt)
	}
	msg := srv.msgs[0]
	for _, want := range []string{"Subject: Referral sent: ABC1234AC", "From: <crs-noreply@example.org>", "A referral was sent.", "Content-Type: text/plain"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestSMTPMailerRefusesHeaderInjection(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t)
	m := NewSMTPMailer(SMTPConfig{Addr: srv.ln.Addr().String(), From: "crs-noreply@example.org"})
	if err := m.Send(context.Background(), []string{"a@example.org\r\nBcc: victim@example.org"}, "s", "b"); err == nil {
		t.Fatal("an address with a header injection was accepted")
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.msgs) != 0 {
		t.Fatal("a message was sent")
	}
}
