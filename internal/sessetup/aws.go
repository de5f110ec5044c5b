package sessetup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// AWS says how to reach the account: the region and the credentials the
// host's config will use. Empty fields fall back to the standard AWS chain
// (environment, shared config and credentials files, instance role).
type AWS struct {
	Region  string
	Profile string
	// AccessKeyID and SecretAccessKey are explicit keys, both or neither.
	AccessKeyID, SecretAccessKey string
	// Endpoint replaces every service's endpoint (an emulator in tests).
	Endpoint string
}

// The API calls the checks make, so tests can stand in for AWS.
type (
	stsAPI interface {
		GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	}
	sesAPI interface {
		GetEmailIdentity(context.Context, *sesv2.GetEmailIdentityInput, ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error)
		GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
		GetConfigurationSet(context.Context, *sesv2.GetConfigurationSetInput, ...func(*sesv2.Options)) (*sesv2.GetConfigurationSetOutput, error)
		SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
	}
	snsAPI interface {
		GetSMSSandboxAccountStatus(context.Context, *sns.GetSMSSandboxAccountStatusInput, ...func(*sns.Options)) (*sns.GetSMSSandboxAccountStatusOutput, error)
		GetSMSAttributes(context.Context, *sns.GetSMSAttributesInput, ...func(*sns.Options)) (*sns.GetSMSAttributesOutput, error)
	}
)

// clients are the service clients of one run.
type clients struct {
	sts stsAPI
	ses sesAPI
	sns snsAPI
}

// load resolves the AWS configuration the way the generated SES sender
// does: the standard chain, narrowed by a profile or replaced by explicit
// keys.
func (a AWS) load(ctx context.Context) (aws.Config, error) {
	// The SDK's own log lines (such as its IMDS fallback notes) would
	// interleave with the report; its errors reach the checks anyway.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if a.Region != "" {
		opts = append(opts, config.WithRegion(a.Region))
	}
	if a.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.Profile))
	}
	if a.AccessKeyID != "" || a.SecretAccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(a.AccessKeyID, a.SecretAccessKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	return cfg, nil
}

func (a AWS) clients(cfg aws.Config) clients {
	var ep *string
	if a.Endpoint != "" {
		ep = aws.String(a.Endpoint)
	}
	return clients{
		sts: sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = ep }),
		ses: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = ep }),
		sns: sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = ep }),
	}
}

// brief shortens an AWS error to one line for a report: the HTTP status
// and the service's error code and message, without the SDK's operation
// wrapping or an HTML error page (which is what an emulator lacking the
// call answers).
func brief(err error) string {
	var parts []string
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", re.HTTPStatusCode()))
	}
	var de *smithy.DeserializationError
	var ae smithy.APIError
	switch {
	case errors.As(err, &de):
		// An answer that is not the service's protocol: typically an
		// HTML error page of an emulator or proxy that lacks the call.
		parts = append(parts, "the endpoint's answer is not an AWS response (does it implement this call?)")
	case errors.As(err, &ae):
		parts = append(parts, ae.ErrorCode())
		if msg := firstLine(ae.ErrorMessage()); msg != "" && !strings.HasPrefix(msg, "<") {
			parts = append(parts, msg)
		}
	default:
		// The operation is named by the check already.
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			err = oe.Err
		}
		if re != nil {
			err = re.Err
		}
		parts = append(parts, firstLine(err.Error()))
	}
	s := strings.Join(parts, ": ")
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}
