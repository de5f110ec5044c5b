package sessetup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// fakeAWS answers the checks' calls from fields.
type fakeAWS struct {
	stsErr     error
	identities map[string]*sesv2.GetEmailIdentityOutput
	account    *sesv2.GetAccountOutput
	accountErr error
	sets       map[string]bool
	sendErr    error
	sent       []*sesv2.SendEmailInput
	sandbox    *sns.GetSMSSandboxAccountStatusOutput
	sandboxErr error
	smsAttrs   map[string]string
}

func (f *fakeAWS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if f.stsErr != nil {
		return nil, f.stsErr
	}
	return &sts.GetCallerIdentityOutput{Account: aws.String("123456789012"), Arn: aws.String("arn:aws:iam::123456789012:user/ops")}, nil
}

func (f *fakeAWS) GetEmailIdentity(_ context.Context, in *sesv2.GetEmailIdentityInput, _ ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error) {
	if out, ok := f.identities[aws.ToString(in.EmailIdentity)]; ok {
		return out, nil
	}
	return nil, &sestypes.NotFoundException{Message: in.EmailIdentity}
}

func (f *fakeAWS) GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error) {
	return f.account, f.accountErr
}

func (f *fakeAWS) GetConfigurationSet(_ context.Context, in *sesv2.GetConfigurationSetInput, _ ...func(*sesv2.Options)) (*sesv2.GetConfigurationSetOutput, error) {
	if f.sets[aws.ToString(in.ConfigurationSetName)] {
		return &sesv2.GetConfigurationSetOutput{}, nil
	}
	return nil, &sestypes.NotFoundException{}
}

func (f *fakeAWS) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	if f.sendErr != nil {
		return nil, f.sendErr
	}
	f.sent = append(f.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("msg-1")}, nil
}

func (f *fakeAWS) GetSMSSandboxAccountStatus(context.Context, *sns.GetSMSSandboxAccountStatusInput, ...func(*sns.Options)) (*sns.GetSMSSandboxAccountStatusOutput, error) {
	return f.sandbox, f.sandboxErr
}

func (f *fakeAWS) GetSMSAttributes(context.Context, *sns.GetSMSAttributesInput, ...func(*sns.Options)) (*sns.GetSMSAttributesOutput, error) {
	return &sns.GetSMSAttributesOutput{Attributes: f.smsAttrs}, nil
}

func (f *fakeAWS) clients() clients { return clients{sts: f, ses: f, sns: f} }

// healthy is an account where everything passes.
func healthy() *fakeAWS {
	return &fakeAWS{
		identities: map[string]*sesv2.GetEmailIdentityOutput{
			"example.com": {VerificationStatus: sestypes.VerificationStatusSuccess, VerifiedForSendingStatus: true,
				DkimAttributes: &sestypes.DkimAttributes{Status: sestypes.DkimStatusSuccess}},
		},
		account: &sesv2.GetAccountOutput{ProductionAccessEnabled: true, SendingEnabled: true, EnforcementStatus: aws.String("HEALTHY"),
			SendQuota: &sestypes.SendQuota{Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 12}},
		sets:     map[string]bool{"tracking": true},
		sandbox:  &sns.GetSMSSandboxAccountStatusOutput{IsInSandbox: false},
		smsAttrs: map[string]string{"MonthlySpendLimit": "100"},
	}
}

var everything = Options{FromAddress: "noreply@example.com", FromName: "Demo", ConfigurationSet: "tracking", SendTestTo: "me@example.com", SMS: true, GeneratedEmailBackend: "ses"}

func statuses(r Report) map[string]Status {
	out := map[string]Status{}
	for _, c := range r.Checks {
		out[c.ID] = c.Status
	}
	return out
}

func TestRunHealthy(t *testing.T) {
	f := healthy()
	r := run(context.Background(), "eu-west-1", f.clients(), everything)
	for _, c := range r.Checks {
		if c.Status != Pass {
			t.Errorf("%s: %s %s", c.ID, c.Status, c.Detail)
		}
	}
	if len(r.Checks) != 12 {
		t.Errorf("%d checks, want 12: %+v", len(r.Checks), r.Checks)
	}
	if len(f.sent) != 1 || aws.ToString(f.sent[0].FromEmailAddress) != `"Demo" <noreply@example.com>` ||
		aws.ToString(f.sent[0].ConfigurationSetName) != "tracking" {
		t.Errorf("test message: %+v", f.sent)
	}
}

func TestRunFindings(t *testing.T) {
	tests := []struct {
		name   string
		change func(*fakeAWS)
		opts   Options
		want   map[string]Status
		detail string // in the first non-passing check's detail or fix
	}{
		{
			name:   "unverified sender",
			change: func(f *fakeAWS) { f.identities = nil },
			opts:   everything,
			want:   map[string]Status{CheckSender: Fail, CheckDKIM: Skip, CheckSendTest: Skip},
			detail: "aws sesv2 create-email-identity --email-identity example.com --region eu-west-1",
		},
		{
			name: "verified address only, no DKIM",
			change: func(f *fakeAWS) {
				f.identities = map[string]*sesv2.GetEmailIdentityOutput{
					"noreply@example.com": {VerificationStatus: sestypes.VerificationStatusSuccess}}
			},
			opts:   everything,
			want:   map[string]Status{CheckSender: Pass, CheckDKIM: Warn, CheckSendTest: Pass},
			detail: "DKIM CNAME",
		},
		{
			name: "pending domain",
			change: func(f *fakeAWS) {
				f.identities = map[string]*sesv2.GetEmailIdentityOutput{
					"example.com": {VerificationStatus: sestypes.VerificationStatusPending,
						DkimAttributes: &sestypes.DkimAttributes{Status: sestypes.DkimStatusPending}}}
			},
			opts:   Options{FromAddress: "noreply@example.com"},
			want:   map[string]Status{CheckSender: Fail, CheckDKIM: Warn},
			detail: "status PENDING",
		},
		{
			name: "sandbox, probation and a nearly used quota",
			change: func(f *fakeAWS) {
				f.account = &sesv2.GetAccountOutput{SendingEnabled: true, EnforcementStatus: aws.String("PROBATION"),
					SendQuota: &sestypes.SendQuota{Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 190}}
			},
			opts:   Options{FromAddress: "noreply@example.com"},
			want:   map[string]Status{CheckProductionAccess: Warn, CheckSending: Warn, CheckQuota: Warn},
			detail: "200 messages a day",
		},
		{
			name:   "sending disabled",
			change: func(f *fakeAWS) { f.account.SendingEnabled = false },
			opts:   Options{FromAddress: "noreply@example.com"},
			want:   map[string]Status{CheckSending: Fail},
			detail: "sending is disabled",
		},
		{
			name:   "GetAccount not allowed",
			change: func(f *fakeAWS) { f.accountErr = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"} },
			opts:   Options{FromAddress: "noreply@example.com"},
			want:   map[string]Status{CheckProductionAccess: Warn, CheckSending: Warn, CheckQuota: Warn},
			detail: "could not check: GetAccount: AccessDeniedException: no",
		},
		{
			name:   "missing configuration set and a refused message",
			change: func(f *fakeAWS) { f.sets = nil; f.sendErr = errors.New("MessageRejected") },
			opts:   everything,
			want:   map[string]Status{CheckConfigurationSet: Fail, CheckSendTest: Fail},
			detail: "create-configuration-set",
		},
		{
			name:   "bad credentials skip the rest",
			change: func(f *fakeAWS) { f.stsErr = errors.New("no EC2 IMDS role found") },
			opts:   everything,
			want: map[string]Status{CheckCredentials: Fail, CheckSender: Skip, CheckDKIM: Skip, CheckProductionAccess: Skip,
				CheckSending: Skip, CheckQuota: Skip, CheckConfigurationSet: Skip, CheckSendTest: Skip, CheckSMSSandbox: Skip, CheckSMSSpendLimit: Skip},
			detail: "no EC2 IMDS role found",
		},
		{
			name:   "host without the SES sender",
			opts:   Options{FromAddress: "noreply@example.com", GeneratedEmailBackend: "console"},
			want:   map[string]Status{CheckHostSender: Fail},
			detail: "--set features.email_backend=ses",
		},
		{
			name:   "not an address",
			opts:   Options{FromAddress: "Demo <noreply@example.com>"},
			want:   map[string]Status{CheckSender: Fail, CheckDKIM: Skip},
			detail: "--from-address",
		},
		{
			name: "SMS sandbox and default spend limit",
			change: func(f *fakeAWS) {
				f.sandbox = &sns.GetSMSSandboxAccountStatusOutput{IsInSandbox: true}
				f.smsAttrs = nil
			},
			opts:   Options{FromAddress: "noreply@example.com", SMS: true},
			want:   map[string]Status{CheckSMSSandbox: Warn, CheckSMSSpendLimit: Warn},
			detail: "verified destination phone numbers",
		},
		{
			name:   "SMS sandbox unknown",
			change: func(f *fakeAWS) { f.sandboxErr = errors.New("boom\n<html>") },
			opts:   Options{FromAddress: "noreply@example.com", SMS: true},
			want:   map[string]Status{CheckSMSSandbox: Warn, CheckSMSSpendLimit: Pass},
			detail: "could not check: GetSMSSandboxAccountStatus: boom",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := healthy()
			if tt.change != nil {
				tt.change(f)
			}
			r := run(context.Background(), "eu-west-1", f.clients(), tt.opts)
			got := statuses(r)
			for id, s := range got {
				want, listed := tt.want[id]
				if !listed {
					want = Pass
				}
				if s != want {
					c, _ := r.Find(id)
					t.Errorf("%s = %s (%s), want %s", id, s, c.Detail, want)
				}
			}
			for id := range tt.want {
				if _, ok := got[id]; !ok {
					t.Errorf("%s did not run", id)
				}
			}
			var text bytes.Buffer
			if err := r.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), tt.detail) {
				t.Errorf("report lacks %q:\n%s", tt.detail, text.String())
			}
		})
	}
}

func TestRunWithoutRegion(t *testing.T) {
	r := run(context.Background(), "", healthy().clients(), Options{FromAddress: "a@b.example"})
	if s := statuses(r); s[CheckRegion] != Fail || s[CheckCredentials] != "" || s[CheckSender] != Skip {
		t.Errorf("statuses %v", s)
	}
}

func TestReportJSON(t *testing.T) {
	r := Report{Region: "eu-west-1"}
	r.add("a", Pass, "fine", "")
	r.add("b", Fail, "broken", "mend it")
	r.add("c", Warn, "hm", "look")
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"region":"eu-west-1","checks":[{"id":"a","status":"pass","detail":"fine"},{"id":"b","status":"fail","detail":"broken","fix":"mend it"},{"id":"c","status":"warn","detail":"hm","fix":"look"}],"passed":1,"failed":1,"warnings":1,"skipped":0}`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
	if data, _ := json.Marshal(Report{}); !strings.Contains(string(data), `"checks":[]`) {
		t.Errorf("empty report: %s", data)
	}
}

func TestWriteText(t *testing.T) {
	r := Report{}
	r.add("sender_identity", Fail, "not verified", "verify it")
	r.add("dkim", Skip, "no identity", "")
	r.add("region", Pass, "eu-west-1", "")
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "✘ sender_identity — not verified\n    fix: verify it\n- dkim — skipped: no identity\n✔ region — eu-west-1\n1 passed, 1 failed, 0 warnings, 1 skipped\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestBrief(t *testing.T) {
	err := &smithy.OperationError{ServiceID: "SESv2", OperationName: "GetAccount",
		Err: &smithy.GenericAPIError{Code: "NotFound", Message: "<!doctype html>\n<title>404</title>"}}
	if got := brief(err); got != "NotFound" {
		t.Errorf("brief = %q", got)
	}
	if got := brief(errors.New(strings.Repeat("x", 300))); len(got) != 200 {
		t.Errorf("brief is %d long", len(got))
	}
}
