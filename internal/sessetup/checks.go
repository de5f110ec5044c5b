package sessetup

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Options are what the checks look at besides the account.
type Options struct {
	// FromAddress is the sender of the host's mail (email.from_address).
	FromAddress string
	// FromName is the sender's display name in the test message.
	FromName string
	// ConfigurationSet, if set, must exist (email.ses_configuration_set).
	ConfigurationSet string
	// SendTestTo, if set, receives a real test message.
	SendTestTo string
	// SMS adds the SNS checks: the host sends its SMS through SNS.
	SMS bool
	// GeneratedEmailBackend is the email backend the host was generated
	// with (.regstack/answers.toml); only "ses" has the SES sender in its
	// code. Empty when unknown, which skips that check.
	GeneratedEmailBackend string
}

// The check IDs, stable for scripts.
const (
	CheckHostSender       = "host_ses_sender"
	CheckRegion           = "region"
	CheckCredentials      = "credentials"
	CheckSender           = "sender_identity"
	CheckDKIM             = "dkim"
	CheckProductionAccess = "production_access"
	CheckSending          = "sending_enabled"
	CheckQuota            = "send_quota"
	CheckConfigurationSet = "configuration_set"
	CheckSendTest         = "send_test"
	CheckSMSSandbox       = "sns_sms_sandbox"
	CheckSMSSpendLimit    = "sns_sms_spend_limit"
)

// Run checks the account a reaches and returns the report. It does not
// fail: every problem, including AWS calls an account's policy or an
// emulator does not allow, ends up in a check.
func Run(ctx context.Context, a AWS, o Options) Report {
	cfg, err := a.load(ctx)
	if err != nil {
		r := Report{Region: a.Region}
		r.checkHost(o)
		if a.Region != "" {
			r.add(CheckRegion, Pass, a.Region, "")
		} else {
			r.add(CheckRegion, Skip, "needs the AWS configuration", "")
		}
		r.add(CheckCredentials, Fail, "cannot load the AWS configuration: "+brief(err),
			"check the profile name (it must be in ~/.aws/config or ~/.aws/credentials, or the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name) and the AWS_* environment variables")
		r.skipRest(o, "needs the AWS configuration")
		return r
	}
	return run(ctx, cfg.Region, a.clients(cfg), o)
}

// run is Run after the configuration is loaded, with the clients tests can
// replace.
func run(ctx context.Context, region string, c clients, o Options) Report {
	r := Report{Region: region}
	r.checkHost(o)
	if region == "" {
		r.add(CheckRegion, Fail, "no AWS region is configured",
			"pass --region (the SES region your identities are verified in, such as eu-west-1), or set it in the profile or AWS_REGION")
		r.skipRest(o, "needs a region")
		return r
	}
	r.add(CheckRegion, Pass, region, "")

	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		r.add(CheckCredentials, Fail, "the credentials do not work: "+brief(err),
			"give working credentials: --profile NAME, --access-key-id with --secret-access-key-file, or the standard AWS environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, an instance role)")
		r.skipRest(o, "needs working credentials")
		return r
	}
	r.add(CheckCredentials, Pass, fmt.Sprintf("account %s as %s", aws.ToString(id.Account), aws.ToString(id.Arn)), "")

	verified := r.checkSender(ctx, c.ses, region, o.FromAddress)
	r.checkAccount(ctx, c.ses, region)
	if o.ConfigurationSet != "" {
		r.checkConfigurationSet(ctx, c.ses, region, o.ConfigurationSet)
	}
	if o.SendTestTo != "" {
		if verified {
			r.sendTest(ctx, c.ses, o)
		} else {
			r.add(CheckSendTest, Skip, "the sender is not verified", "")
		}
	}
	if o.SMS {
		r.checkSMS(ctx, c.sns, region)
	}
	return r
}

// checkHost checks that the host's code can send through SES at all: the
// SES sender is generated only for the email backend answer "ses", and an
// app without it refuses backend = "ses" at start.
func (r *Report) checkHost(o Options) {
	switch o.GeneratedEmailBackend {
	case "":
	case "ses":
		r.add(CheckHostSender, Pass, "the host was generated with the SES sender", "")
	default:
		r.add(CheckHostSender, Fail, fmt.Sprintf("the host was generated with email backend %q: its code has no SES sender, and the app refuses backend = \"ses\"", o.GeneratedEmailBackend),
			"generate the sender in: `regstack gen --upgrade --set features.email_backend=ses` in the host folder")
	}
}

// skipRest marks the checks after a blocking failure as skipped, so the
// report still lists everything that was not looked at.
func (r *Report) skipRest(o Options, why string) {
	for _, id := range []string{CheckSender, CheckDKIM, CheckProductionAccess, CheckSending, CheckQuota} {
		r.add(id, Skip, why, "")
	}
	if o.ConfigurationSet != "" {
		r.add(CheckConfigurationSet, Skip, why, "")
	}
	if o.SendTestTo != "" {
		r.add(CheckSendTest, Skip, why, "")
	}
	if o.SMS {
		r.add(CheckSMSSandbox, Skip, why, "")
		r.add(CheckSMSSpendLimit, Skip, why, "")
	}
}

// identity is a verified-or-not SES identity as GetEmailIdentity reports it.
type identity struct {
	name     string
	verified bool
	status   sestypes.VerificationStatus
	dkim     sestypes.DkimStatus
}

// lookupIdentity fetches one identity; found is false when SES does not
// know it.
func lookupIdentity(ctx context.Context, ses sesAPI, name string) (id identity, found bool, err error) {
	out, err := ses.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(name)})
	var nf *sestypes.NotFoundException
	if errors.As(err, &nf) {
		return identity{name: name}, false, nil
	}
	if err != nil {
		return identity{}, false, err
	}
	id = identity{name: name, status: out.VerificationStatus}
	// VerificationStatus is the detailed answer; VerifiedForSendingStatus
	// is what older accounts (and moto) set reliably. Either suffices.
	id.verified = out.VerifiedForSendingStatus || out.VerificationStatus == sestypes.VerificationStatusSuccess
	if out.DkimAttributes != nil {
		id.dkim = out.DkimAttributes.Status
	}
	return id, true, nil
}

// checkSender checks that SES may send as the address: the address itself
// or its whole domain is a verified identity. It then reports DKIM of the
// identity that counts, the domain when there is one. It returns whether
// the sender is verified.
func (r *Report) checkSender(ctx context.Context, ses sesAPI, region, from string) bool {
	addr, err := mail.ParseAddress(from)
	if from == "" || err != nil || addr.Address != from || !strings.Contains(from, "@") {
		r.add(CheckSender, Fail, fmt.Sprintf("%q is not an email address", from),
			"pass --from-address noreply@your-domain (email.from_address)")
		r.add(CheckDKIM, Skip, "needs a sender address", "")
		return false
	}
	domain := from[strings.LastIndex(from, "@")+1:]
	verifyFix := fmt.Sprintf("verify the domain %s in SES in %s (recommended; it also sets up DKIM): "+
		"`aws sesv2 create-email-identity --email-identity %s --region %s`, then publish the three DKIM CNAME records it prints in your DNS; "+
		"or verify just the address (SES mails it a link): `aws sesv2 create-email-identity --email-identity %s --region %s`",
		domain, region, domain, region, from, region)

	dom, domFound, err := lookupIdentity(ctx, ses, domain)
	if err != nil {
		r.add(CheckSender, Warn, "could not check: GetEmailIdentity: "+brief(err), "allow ses:GetEmailIdentity for these credentials")
		r.add(CheckDKIM, Skip, "the identity could not be read", "")
		return false
	}
	adr, adrFound, err := lookupIdentity(ctx, ses, from)
	if err != nil {
		r.add(CheckSender, Warn, "could not check: GetEmailIdentity: "+brief(err), "allow ses:GetEmailIdentity for these credentials")
		r.add(CheckDKIM, Skip, "the identity could not be read", "")
		return false
	}
	switch {
	case domFound && dom.verified:
		r.add(CheckSender, Pass, fmt.Sprintf("the domain %s is verified, so %s may send", domain, from), "")
	case adrFound && adr.verified:
		r.add(CheckSender, Pass, fmt.Sprintf("the address %s is verified", from), "")
	case domFound || adrFound:
		pending := dom
		if !domFound {
			pending = adr
		}
		r.add(CheckSender, Fail, fmt.Sprintf("%s is known to SES in %s but not verified (status %s)", pending.name, region, orUnknown(string(pending.status))),
			"finish the verification: publish the DNS records SES gave for the domain (the console shows them under Identities), or click the link SES mailed to the address; "+
				"a failed verification can be restarted by deleting and re-creating the identity")
	default:
		r.add(CheckSender, Fail, fmt.Sprintf("neither %s nor its domain %s is a verified SES identity in %s", from, domain, region), verifyFix)
	}

	switch {
	case domFound:
		r.addDKIM(dom)
	case adrFound:
		r.addDKIM(adr)
	default:
		r.add(CheckDKIM, Skip, "no SES identity", "")
	}
	return (domFound && dom.verified) || (adrFound && adr.verified)
}

func (r *Report) addDKIM(id identity) {
	switch id.dkim {
	case sestypes.DkimStatusSuccess:
		r.add(CheckDKIM, Pass, fmt.Sprintf("DKIM signing of %s is verified", id.name), "")
	case sestypes.DkimStatusFailed, sestypes.DkimStatusTemporaryFailure:
		r.add(CheckDKIM, Warn, fmt.Sprintf("DKIM of %s: %s", id.name, id.dkim),
			"check the three DKIM CNAME records of the domain in your DNS against those SES shows; mail without DKIM lands in spam more often")
	default:
		r.add(CheckDKIM, Warn, fmt.Sprintf("DKIM of %s: %s", id.name, orUnknown(string(id.dkim))),
			"verify the domain (not just the address) and publish its three DKIM CNAME records; add SPF and a DMARC record too (see docs/email.md)")
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// checkAccount reports the account-wide state: the sandbox, whether
// sending is enabled and healthy, and the quota.
func (r *Report) checkAccount(ctx context.Context, ses sesAPI, region string) {
	acct, err := ses.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		why := "could not check: GetAccount: " + brief(err)
		fix := "allow ses:GetAccount for these credentials, or look at the SES console's Account dashboard"
		r.add(CheckProductionAccess, Warn, why, fix)
		r.add(CheckSending, Warn, why, fix)
		r.add(CheckQuota, Warn, why, fix)
		return
	}
	if acct.ProductionAccessEnabled {
		r.add(CheckProductionAccess, Pass, "the account is out of the SES sandbox", "")
	} else {
		r.add(CheckProductionAccess, Warn,
			"the account is in the SES sandbox in "+region+": it sends only to verified addresses and domains, at most 200 messages a day and 1 a second; sign-up mail to anyone else is rejected",
			"request production access (SES console → Account dashboard → Request production access, or `aws sesv2 put-account-details --production-access-enabled --region "+region+" …`); until then verify each test recipient")
	}

	switch status := aws.ToString(acct.EnforcementStatus); {
	case !acct.SendingEnabled:
		r.add(CheckSending, Fail, "sending is disabled for the account in "+region+" (enforcement status "+orUnknown(status)+")",
			"re-enable it (`aws sesv2 put-account-sending-attributes --sending-enabled --region "+region+"`); if AWS paused it, answer the case in the SES console first")
	case status == "SHUTDOWN":
		r.add(CheckSending, Fail, "AWS has shut down sending for the account (enforcement status SHUTDOWN)",
			"open the SES console's Account dashboard and the AWS support case about it")
	case status == "PROBATION":
		r.add(CheckSending, Warn, "sending is enabled, but the account is on probation for its bounce or complaint rate",
			"lower the bounce and complaint rates (the SES console's reputation metrics show them) before AWS pauses sending")
	default:
		r.add(CheckSending, Pass, "sending is enabled (enforcement status "+orUnknown(status)+")", "")
	}

	q := acct.SendQuota
	if q == nil {
		r.add(CheckQuota, Warn, "could not check: GetAccount returned no send quota", "look at the SES console's Account dashboard")
		return
	}
	detail := fmt.Sprintf("%s of %s messages sent in the last 24 hours, at most %s a second",
		number(q.SentLast24Hours), number(q.Max24HourSend), number(q.MaxSendRate))
	if q.Max24HourSend > 0 && q.SentLast24Hours >= 0.8*q.Max24HourSend {
		r.add(CheckQuota, Warn, detail+": close to the daily limit", "request a higher sending quota in the SES console (Service quotas)")
		return
	}
	r.add(CheckQuota, Pass, detail, "")
}

// number prints a quota without a pointless ".0"; -1 means unlimited.
func number(f float64) string {
	if f < 0 {
		return "unlimited"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func (r *Report) checkConfigurationSet(ctx context.Context, ses sesAPI, region, name string) {
	_, err := ses.GetConfigurationSet(ctx, &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(name)})
	var nf *sestypes.NotFoundException
	switch {
	case errors.As(err, &nf):
		r.add(CheckConfigurationSet, Fail, fmt.Sprintf("the configuration set %q does not exist in %s", name, region),
			fmt.Sprintf("create it (`aws sesv2 create-configuration-set --configuration-set-name %s --region %s`) or leave out --configuration-set", name, region))
	case err != nil:
		r.add(CheckConfigurationSet, Warn, "could not check: GetConfigurationSet: "+brief(err), "allow ses:GetConfigurationSet for these credentials")
	default:
		r.add(CheckConfigurationSet, Pass, fmt.Sprintf("the configuration set %q exists", name), "")
	}
}

// sendTest sends one real message, the way the generated sender does
// (SendEmail with a simple text body).
func (r *Report) sendTest(ctx context.Context, ses sesAPI, o Options) {
	from := o.FromAddress
	if o.FromName != "" {
		from = (&mail.Address{Name: o.FromName, Address: o.FromAddress}).String()
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &sestypes.Destination{ToAddresses: []string{o.SendTestTo}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("regstack ses setup: test message"), Charset: aws.String("UTF-8")},
			Body: &sestypes.Body{Text: &sestypes.Content{Charset: aws.String("UTF-8"),
				Data: aws.String("This message was sent by `regstack ses setup --send-test-to` to check that Amazon SES delivers mail from " + o.FromAddress + ".\n")}},
		}},
	}
	if o.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(o.ConfigurationSet)
	}
	out, err := ses.SendEmail(ctx, in)
	if err != nil {
		r.add(CheckSendTest, Fail, "SES refused the test message to "+o.SendTestTo+": "+brief(err),
			"in the sandbox the recipient must be a verified identity too; otherwise the message says what SES objects to")
		return
	}
	r.add(CheckSendTest, Pass, fmt.Sprintf("SES accepted a test message to %s (message id %s); check that it arrived, and not in spam", o.SendTestTo, aws.ToString(out.MessageId)), "")
}

// checkSMS reports the SNS side of a host whose SMS go through SNS: the
// SMS sandbox and the monthly spend limit.
func (r *Report) checkSMS(ctx context.Context, c snsAPI, region string) {
	sb, err := c.GetSMSSandboxAccountStatus(ctx, &sns.GetSMSSandboxAccountStatusInput{})
	switch {
	case err != nil:
		r.add(CheckSMSSandbox, Warn, "could not check: GetSMSSandboxAccountStatus: "+brief(err),
			"allow sns:GetSMSSandboxAccountStatus for these credentials, or look at the SNS console's Text messaging (SMS) page")
	case sb.IsInSandbox:
		r.add(CheckSMSSandbox, Warn, "SNS SMS is in the sandbox in "+region+": text messages reach only verified destination phone numbers",
			"add test numbers under SNS → Text messaging (SMS) → Sandbox destination phone numbers, and ask AWS support to move the account out of the SMS sandbox for production")
	default:
		r.add(CheckSMSSandbox, Pass, "SNS SMS is out of the sandbox", "")
	}

	attrs, err := c.GetSMSAttributes(ctx, &sns.GetSMSAttributesInput{Attributes: []string{"MonthlySpendLimit"}})
	if err != nil {
		r.add(CheckSMSSpendLimit, Warn, "could not check: GetSMSAttributes: "+brief(err), "allow sns:GetSMSAttributes for these credentials")
		return
	}
	limit := attrs.Attributes["MonthlySpendLimit"]
	if limit == "" || limit == "1" {
		r.add(CheckSMSSpendLimit, Warn, "the monthly SMS spend limit is the AWS default of 1 USD: SNS stops sending after a few dozen messages a month",
			"ask AWS support for a higher SMS spend limit, then set it: `aws sns set-sms-attributes --attributes MonthlySpendLimit=N --region "+region+"`")
		return
	}
	r.add(CheckSMSSpendLimit, Pass, "the monthly SMS spend limit is "+limit+" USD", "")
}
