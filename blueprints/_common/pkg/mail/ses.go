// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"regstack.example/app/internal/auth/config"
)

// Limits of one SES send. The mailer bounds a whole send by its own
// timeout (two minutes) as well; these keep a slow or throttling SES well
// inside it.
const (
	// sesAttemptTimeout bounds one HTTP request to SES.
	sesAttemptTimeout = 10 * time.Second
	// sesMaxAttempts is the most requests one message costs. Only what
	// cannot have been accepted is retried: throttling (SES answers
	// TooManyRequestsException, or Throttling, when the account's sending
	// rate is exceeded), 5xx answers and network errors. A refusal such as
	// MessageRejected is final.
	sesMaxAttempts = 4
	// sesMaxBackoff caps the wait between attempts; the SDK starts at one
	// second for throttling and backs off exponentially with jitter.
	sesMaxBackoff = 5 * time.Second
)

// SES sends through Amazon SES (the v2 API's SendEmail) the same MIME
// message the SMTP sender writes, as raw content: SES then delivers the
// text and HTML parts exactly as composed.
//
// Credentials come from email.ses_access_key_id and
// email.ses_secret_access_key when set, else from the profile
// email.ses_profile of the shared AWS files, else from the standard AWS
// chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared files,
// the role of the machine). The sender address, or its domain, must be a
// verified SES identity; while the account is in the SES sandbox, every
// recipient must be verified too.
type SES struct {
	client *sesv2.Client
	// configurationSet is sent with every message when set.
	configurationSet string
}

// NewSES returns the SES sender of cfg. The region is email.ses_region, or
// the standard configuration's (AWS_REGION, the shared config file) when
// empty; email.ses_endpoint, when set, replaces AWS's endpoint (a local
// emulator in tests).
func NewSES(ctx context.Context, cfg config.EmailConfig) (*SES, error) {
	if (cfg.SESAccessKeyID == "") != (cfg.SESSecretAccessKey == "") {
		// config.Validate says so too; this guards a Config built in code.
		return nil, errors.New("mail: email.ses_access_key_id and email.ses_secret_access_key go together: set both or neither")
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(sesAttemptTimeout)),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = sesMaxAttempts
				o.MaxBackoff = sesMaxBackoff
			})
		}),
	}
	if cfg.SESRegion != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.SESRegion))
	}
	if cfg.SESProfile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(cfg.SESProfile))
	}
	if cfg.SESAccessKeyID != "" {
		// Explicit keys win over the profile's and the environment's.
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.SESAccessKeyID, cfg.SESSecretAccessKey, "")))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: loading the AWS configuration for SES: %w", err)
	}
	// Without a region every send would fail; say so at start instead.
	if awsCfg.Region == "" {
		return nil, errors.New("mail: no AWS region for SES: set email.ses_region or AWS_REGION")
	}
	client := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
		if cfg.SESEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SESEndpoint)
		}
	})
	return &SES{client: client, configurationSet: cfg.SESConfigurationSet}, nil
}

// Send delivers m through SES. A refusal SES explained is a *SESError; its
// text, like every error Send returns, holds none of m's links (they carry
// one-time tokens, and the caller logs the error).
func (s *SES) Send(ctx context.Context, m Message) error {
	from, to, err := m.addresses()
	if err != nil {
		return err
	}
	raw, err := buildMessage(m, from, to, time.Now())
	if err != nil {
		return err
	}
	in := &sesv2.SendEmailInput{
		// The identity SES checks; the From header inside the raw
		// message carries the display name.
		FromEmailAddress: aws.String(from.Address),
		Destination:      &types.Destination{ToAddresses: []string{to.Address}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	}
	if s.configurationSet != "" {
		in.ConfigurationSetName = aws.String(s.configurationSet)
	}
	if _, err := s.client.SendEmail(ctx, in); err != nil {
		return sesError(err, m)
	}
	return nil
}

// SESError is a refusal or failure SES explained: MessageRejected (an
// unverified sender or, in the sandbox, recipient), a paused account,
// throttling that outlasted the retries, ...
type SESError struct {
	// Code is SES's error code, e.g. "MessageRejected".
	Code string
	// Message is SES's explanation, with any link of the message removed.
	Message    string
	HTTPStatus int
}

func (e *SESError) Error() string {
	return fmt.Sprintf("mail: ses: %s (HTTP %d): %s", e.Code, e.HTTPStatus, e.Message)
}

// sesError turns a SendEmail error into a token-free error. The SDK's
// errors are matched by behaviour (ErrorCode, HTTPStatusCode) rather than
// by type, which keeps the smithy packages out of this file. An error
// without an answer from SES (the network, a timeout, the credentials
// chain) is wrapped as it is: the SDK's text names the operation and the
// endpoint, never the request body.
func sesError(err error, m Message) error {
	var api interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if !errors.As(err, &api) {
		return fmt.Errorf("mail: ses: %w", err)
	}
	se := &SESError{Code: api.ErrorCode(), Message: scrubLinks(api.ErrorMessage(), m)}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		se.HTTPStatus = status.HTTPStatusCode()
	}
	return se
}

// tokenParam is a token in a query string, however it got into a text.
var tokenParam = regexp.MustCompile(`(?i)(token=)[^&\s"'<>]+`)

// scrubLinks removes from text every link of m and any token= parameter.
// SES does not echo the message today; this keeps a future explanation
// that quotes it from putting a live token into the log.
func scrubLinks(text string, m Message) string {
	for _, l := range append(findLinks(m.Text), findLinks(m.HTML)...) {
		text = strings.ReplaceAll(text, l, "[link removed]")
	}
	return tokenParam.ReplaceAllString(text, "${1}[removed]")
}
