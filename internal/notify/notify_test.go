package notify_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/notify"
)

func TestNotificationsAreOwnedByTheirRecipient(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	alice := env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J"}})
	bob := env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"K"}})
	ctx := context.Background()
	users, err := notify.RegionUsers(ctx, env.DB.Gorm, "commissioner", "J")
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0] != alice.ID {
		t.Fatalf("region J commissioners %v, want only %s", users, alice.ID)
	}
	entity := uuid.New()
	for _, title := range []string{"first", "second"} {
		if err := notify.Send(ctx, env.DB.Gorm, []uuid.UUID{alice.ID, alice.ID}, notify.Message{Kind: "test", Title: title, EntityType: "thing", EntityID: entity}); err != nil {
			t.Fatal(err)
		}
	}
	var page struct {
		Items []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"items"`
		UnreadCount int `json:"unread_count"`
	}
	env.Get(alice.Token, "/api/v1/notifications").Expect(http.StatusOK).JSON(&page)
	if len(page.Items) != 2 || page.Items[0].Title != "second" || page.UnreadCount != 2 {
		t.Fatalf("alice's notifications %+v", page)
	}
	env.Post(bob.Token, "/api/v1/notifications/"+page.Items[0].ID+"/read", nil).ExpectProblem(http.StatusNotFound, "not_found")
	env.Post(alice.Token, "/api/v1/notifications/"+page.Items[0].ID+"/read", nil).Expect(http.StatusOK)
	env.Get(alice.Token, "/api/v1/notifications?unread=true").Expect(http.StatusOK).JSON(&page)
	if len(page.Items) != 1 || page.UnreadCount != 1 {
		t.Fatalf("after one read: %+v", page)
	}
	if m := env.Post(alice.Token, "/api/v1/notifications/read-all", nil).Expect(http.StatusOK).Map(); m["marked"] != float64(1) {
		t.Fatalf("read-all %v", m)
	}
	env.Get(bob.Token, "/api/v1/notifications").Expect(http.StatusOK).JSON(&page)
	if len(page.Items) != 0 {
		t.Fatalf("bob sees %d notifications", len(page.Items))
	}
}
