#!/usr/bin/env bash
# A worked tour of the API, with curl and jq, against a running platform seeded with the demo data
# (`crs dev`): every demo user signs in; a referral goes from draft to conclusion and a payment
# request from submission to payment. Each step prints what it did; any unexpected answer stops
# the tour with the problem the API returned.
#
#   CRS_URL=http://127.0.0.1:8080 scripts/tour.sh      (make tour starts and stops crs dev for it)
#
# The write protocol it follows (docs/ARCHITECTURE.md): creating POSTs carry an Idempotency-Key;
# every change to an existing resource carries If-Match with the ETag ("v<version>") last read.
set -euo pipefail

BASE=${CRS_URL:-http://127.0.0.1:8080}
PASSWORD=${CRS_DEMO_PASSWORD:-crs-demo-2026}
API=$BASE/api/v1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step() { printf '\n== %s\n' "$*"; }
say() { printf '   %s\n' "$*"; }
die() {
	printf 'tour failed: %s\n' "$*" >&2
	exit 1
}

# call METHOD PATH TOKEN [BODY] [IF_MATCH]: sends the request, leaves the status in $status and the
# body in $tmp/body. A POST to a collection gets a fresh Idempotency-Key.
call() {
	local method=$1 path=$2 token=$3 body=${4:-} ifmatch=${5:-}
	local args=(-sS -X "$method" -o "$tmp/body" -w '%{http_code}' -H 'Accept: application/json')
	[[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
	[[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
	[[ -n $ifmatch ]] && args+=(-H "If-Match: $ifmatch")
	if [[ $method == POST && -z $ifmatch ]]; then
		args+=(-H "Idempotency-Key: tour-$(date +%s%N)-$RANDOM")
	fi
	status=$(curl "${args[@]}" "$API$path")
}

# api METHOD PATH TOKEN [BODY] [IF_MATCH]: call, failing the tour unless the answer is 2xx; prints
# the body.
api() {
	call "$@"
	if [[ $status != 2* ]]; then
		die "$1 $2 answered $status: $(cat "$tmp/body")"
	fi
	cat "$tmp/body"
}

# etag JSON: the If-Match value for a resource read as JSON.
etag() { printf '"v%s"' "$(jq -r .version <<<"$1")"; }

# wait_until RFC3339: sleeps until the time has passed (appointments are recorded once started).
wait_until() {
	local target now
	target=$(date -u -d "$1" +%s)
	now=$(date -u +%s)
	if ((target >= now)); then sleep $((target - now + 1)); fi
}

step "Every demo user signs in"
declare -A token
for who in admin commissioner practitioner prime subcontractor other-supplier; do
	body=$(jq -nc --arg e "$who@demo.test" --arg p "$PASSWORD" '{email: $e, password: $p}')
	token[$who]=$(api POST /auth/token "" "$body" | jq -r .token)
	me=$(api GET /me "${token[$who]}")
	say "$(jq -r '"\(.email): \(.role)"' <<<"$me")"
done
prime_id=$(api GET /me "${token[prime]}" | jq -r .supplier_id)

step "The practitioner drafts a referral on a live contract of the demo prime in region J"
contracts=$(api GET "/contracts?status=live&prime_supplier_id=$prime_id&region=J&limit=100" "${token[commissioner]}")
categories=$(api GET /reference/service-categories "")
types=$(api GET /reference/contract-types "")
areas=$(api GET /reference/pcc-areas "")
referral=""
for contract_id in $(jq -r '.items[].id' <<<"$contracts"); do
	contract=$(jq -c --arg id "$contract_id" '.items[] | select(.id == $id)' <<<"$contracts")
	# A person the contract is for: its first sex and setting, an age inside its range.
	sex=$(jq -r '.eligibility.sexes[0]' <<<"$contract")
	setting=$(jq -r '.eligibility.settings | if index("COMMUNITY") then "COMMUNITY" elif index("LICENCE") then "LICENCE" else "" end' <<<"$contract")
	[[ -z $setting ]] && continue
	age=$(jq -r '.eligibility.min_age + 2' <<<"$contract")
	born=$(date -u -d "-$age years -30 days" +%F)
	pcc=$(jq -r --argjson c "$contract" 'if $c.pcc_area_code then $c.pcc_area_code
		else [.items[] | select(.region_code == $c.region_code)][0].code end' <<<"$areas")
	category=$(jq -r --arg t "$(jq -r .contract_type_code <<<"$contract")" '.items[] | select(.code == $t) | .service_categories[0]' <<<"$types")
	outcomes=$(jq -c --arg c "$category" '[.items[] | select(.code == $c) | .desired_outcomes[0:2][].id]' <<<"$categories")
	deadline=$(date -u -d "+60 days" +%F)
	crn=$(printf 'T%06d' $((RANDOM * 30 % 1000000)))
	draft=$(api POST /referrals "${token[practitioner]}" "$(jq -nc --arg c "$contract_id" --arg crn "$crn" '{contract_id: $c, crn: $crn}')")
	patch=$(jq -nc --arg sex "$sex" --arg born "$born" --arg setting "$setting" --arg pcc "$pcc" --arg cat "$category" \
		--argjson outcomes "$outcomes" --arg deadline "$deadline" '{
		person: {first_name: "Alex", last_name: "Tourist", date_of_birth: $born, sex: $sex, ethnicity: "Not stated",
			preferred_language: "English", interpreter_needed: false, disabilities: "none known", access_needs: "none",
			commitments: []},
		setting: $setting, pcc_area_code: $pcc,
		service_categories: [{service_category_code: $cat, complexity_level: "MEDIUM", desired_outcome_ids: $outcomes}],
		max_enforceable_days: 10, completion_deadline: $deadline,
		reason_for_referral: "Needs settled accommodation.", risk_summary: "Low risk to staff."}')
	draft=$(api PATCH "/referrals/$(jq -r .id <<<"$draft")" "${token[practitioner]}" "$patch" "$(etag "$draft")")
	say "draft $(jq -r .id <<<"$draft") on contract $(jq -r .reference <<<"$contract") (CRN $crn)"
	call POST "/referrals/$(jq -r .id <<<"$draft")/send" "${token[practitioner]}" "" "$(etag "$draft")"
	if [[ $status == 200 ]]; then
		referral=$(cat "$tmp/body")
		break
	fi
	say "not sent on this contract ($(jq -r .code "$tmp/body")): the draft is deleted and the next contract tried"
	api DELETE "/referrals/$(jq -r .id <<<"$draft")" "${token[practitioner]}" "" "$(etag "$draft")" >/dev/null
done
[[ -n $referral ]] || die "no live contract of the demo prime in region J accepted a referral"
id=$(jq -r .id <<<"$referral")
say "sent: reference $(jq -r .reference <<<"$referral"), status $(jq -r .status <<<"$referral")"

step "The prime picks a caseworker from the referral's supply chain and assigns it"
caseworker=$(api GET "/referrals/$id/caseworkers" "${token[prime]}" | jq -r --arg me "prime@demo.test" '[.items[] | select(.email == $me)][0].id')
referral=$(api POST "/referrals/$id/caseworker" "${token[prime]}" "$(jq -nc --arg c "$caseworker" '{caseworker_id: $c}')" "$(etag "$referral")")
say "status $(jq -r .status <<<"$referral")"

step "The prime books the initial assessment and records it once it has started"
starts=$(date -u -d "+2 seconds" +%Y-%m-%dT%H:%M:%SZ)
referral=$(api POST "/referrals/$id/assessment" "${token[prime]}" \
	"$(jq -nc --arg s "$starts" '{starts_at: $s, duration_minutes: 60, method: "PHONE"}')" "$(etag "$referral")")
appointment=$(jq -r '.appointments[-1].id' <<<"$referral")
wait_until "$starts"
referral=$(api POST "/referrals/$id/appointments/$appointment/attendance" "${token[prime]}" \
	'{"attendance": "YES", "session_summary": "Assessment by phone."}' "$(etag "$referral")")
say "status $(jq -r .status <<<"$referral")"

step "The prime submits the action plan; the practitioner approves it"
referral=$(api POST "/referrals/$id/action-plans" "${token[prime]}" \
	'{"activities": [{"description": "Weekly one-to-one on finding accommodation."}], "number_of_sessions": 1}' "$(etag "$referral")")
plan=$(jq -r '.action_plans[-1].id' <<<"$referral")
referral=$(api GET "/referrals/$id" "${token[practitioner]}")
referral=$(api POST "/referrals/$id/action-plans/$plan/approve" "${token[practitioner]}" "" "$(etag "$referral")")
say "status $(jq -r .status <<<"$referral")"

step "The prime books the session and records it"
starts=$(date -u -d "+2 seconds" +%Y-%m-%dT%H:%M:%SZ)
referral=$(api GET "/referrals/$id" "${token[prime]}")
referral=$(api POST "/referrals/$id/sessions" "${token[prime]}" \
	"$(jq -nc --arg s "$starts" '{session_number: 1, starts_at: $s, duration_minutes: 60, method: "VIDEO"}')" "$(etag "$referral")")
appointment=$(jq -r '.appointments[-1].id' <<<"$referral")
wait_until "$starts"
referral=$(api POST "/referrals/$id/appointments/$appointment/attendance" "${token[prime]}" \
	'{"attendance": "YES", "session_summary": "Viewed two flats."}' "$(etag "$referral")")
say "status $(jq -r .status <<<"$referral")"

step "The prime submits the end-of-service report, concluding the referral"
report=$(jq -c '{outcomes: [.service_categories[].desired_outcome_ids[] | {outcome_id: ., achievement: "ACHIEVED"}],
	further_information: "Moved into a tenancy."}' <<<"$referral")
referral=$(api POST "/referrals/$id/end-of-service-report" "${token[prime]}" "$report" "$(etag "$referral")")
say "status $(jq -r .status <<<"$referral"), end state $(jq -r .end_state <<<"$referral")"
[[ $(jq -r .status <<<"$referral") == CONCLUDED ]] || die "the referral did not conclude"

step "The prime submits a payment request for last month"
last_month=$(TZ=Europe/London date -d "$(TZ=Europe/London date +%Y-%m-01) -1 day" +%Y-%m)
request=""
for contract_id in $(jq -r '.items[].id' <<<"$contracts"); do
	body=$(jq -nc --arg c "$contract_id" --arg m "$last_month" \
		'{contract_id: $c, kind: "MONTHLY", period: $m, amount_pence: 100000, invoice_reference: ("TOUR-" + $m)}')
	call POST /payment-requests "${token[prime]}" "$body"
	if [[ $status == 201 ]]; then
		request=$(cat "$tmp/body")
		break
	fi
	say "not on this contract ($(jq -r .code "$tmp/body")): trying the next"
done
[[ -n $request ]] || die "no contract of the demo prime in region J took a payment request for $last_month"
rid=$(jq -r .id <<<"$request")
say "request $rid for $last_month: £1,000.00, status $(jq -r .status <<<"$request")"

step "The commissioner queries it; the prime answers"
request=$(api POST "/payment-requests/$rid/queries" "${token[commissioner]}" '{"message": "Which invoice does this match?"}' "$(etag "$request")")
say "status $(jq -r .status <<<"$request")"
request=$(api POST "/payment-requests/$rid/responses" "${token[prime]}" "$(jq -nc --arg m "$last_month" '{message: ("Invoice TOUR-" + $m + ", attached to the email.")}')" "$(etag "$request")")
say "status $(jq -r .status <<<"$request")"

step "The commissioner approves; the admin records the payment"
request=$(api POST "/payment-requests/$rid/approve" "${token[commissioner]}" "" "$(etag "$request")")
say "status $(jq -r .status <<<"$request")"
request=$(api POST "/payment-requests/$rid/pay" "${token[admin]}" \
	"$(jq -nc --arg d "$(TZ=Europe/London date +%F)" '{paid_on: $d, remittance_reference: "TOUR-REMITTANCE"}')" "$(etag "$request")")
say "status $(jq -r .status <<<"$request")"
[[ $(jq -r .status <<<"$request") == PAID ]] || die "the payment request is not paid"

step "Scope holds: the unrelated supplier sees neither"
call GET "/referrals/$id" "${token[other-supplier]}"
[[ $status == 404 ]] || die "the unrelated supplier read the referral ($status)"
call GET "/payment-requests/$rid" "${token[other-supplier]}"
[[ $status == 404 ]] || die "the unrelated supplier read the payment request ($status)"
say "404 for both"

printf '\nTour complete: referral %s concluded, payment request %s paid.\n' "$(jq -r .reference <<<"$referral")" "$rid"
