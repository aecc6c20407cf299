using System.Text.Json;
using Polly;
using Polly.Retry;
using RestSharp;
using SteelCI.Kaggle.Credentials;

namespace SteelCI.Kaggle.Api;

/// <summary>
/// Kaggle's RPC API (<c>POST {base}/v1/{service}/{Method}</c>) for one account, over an injected HttpClient.
/// Calls that are safe to repeat are retried with jittered exponential backoff on the injected clock; calls with an
/// effect (SaveKernel, CreateDataset) are retried only when Kaggle certainly did not act (429, connection refused),
/// and otherwise surface <see cref="KaggleTransientException.OutcomeUnknown"/> so the caller checks first.
/// </summary>
public sealed partial class KaggleClient : IDisposable
{
    private readonly RestClient _rest;
    private readonly HttpClient _http;
    private readonly KaggleClientOptions _options;
    private readonly TimeProvider _time;
    private readonly IKaggleLog _log;
    private readonly ResiliencePipeline _safe;
    private readonly ResiliencePipeline _unsafe;
    private string? _username;

    public KaggleClient(HttpClient http, KaggleAccount account, KaggleClientOptions options, TimeProvider time, IKaggleLog log)
    {
        _http = http;
        Account = account;
        _options = options;
        _time = time;
        _log = log;
        var baseUrl = options.BaseUrl.AbsoluteUri.EndsWith('/') ? options.BaseUrl : new Uri(options.BaseUrl.AbsoluteUri + "/");
        _rest = new RestClient(http, new RestClientOptions(baseUrl)
        {
            Timeout = options.RequestTimeout,
            UserAgent = options.UserAgent,
            ThrowOnAnyError = false,
        });
        _safe = Retries(outcomeUnknownIsRetryable: true);
        _unsafe = Retries(outcomeUnknownIsRetryable: false);
        _username = account.KnownUsername;
    }

    public KaggleAccount Account { get; }

    internal KaggleClientOptions Options => _options;
    internal HttpClient Http => _http;
    internal TimeProvider Time => _time;
    internal IKaggleLog Log => _log;
    internal ResiliencePipeline SafePipeline => _safe;

    /// <summary>The account's Kaggle username: from a legacy key, or asked of IntrospectToken once.</summary>
    public async Task<string> GetUsernameAsync(CancellationToken cancellationToken)
    {
        if (_username is not null)
            return _username;
        var token = Account.Credential as TokenCredential
            ?? throw new InvalidOperationException("only token credentials lack a username");
        var result = await IntrospectTokenAsync(token, cancellationToken);
        if (!result.Active || string.IsNullOrEmpty(result.Username))
            throw new KaggleAuthException($"account {Account.Name}: token is not active (IntrospectToken); {token.RenewHint}");
        return _username = result.Username;
    }

    public async Task<IntrospectTokenResponse> IntrospectTokenAsync(TokenCredential token, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync<IntrospectTokenResponse>("security.OAuthService", "IntrospectToken",
                new { token = token.Token.Reveal() }, safe: true, cancellationToken);
        }
        catch (KaggleException error) when (error is KaggleBadRequestException or KaggleNotFoundException)
        {
            throw new KaggleAuthException($"account {Account.Name}: token rejected by IntrospectToken ({(int)error.Status!}); {token.RenewHint}");
        }
    }

    public Task<AcceleratorQuotaStatistics> GetAcceleratorQuotaStatisticsAsync(CancellationToken cancellationToken) =>
        CallAsync<AcceleratorQuotaStatistics>(KernelsService, "GetAcceleratorQuotaStatistics", new { }, safe: true, cancellationToken);

    internal async Task<T> CallAsync<T>(string service, string method, object body, bool safe, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(body, KaggleJson.Options);
        var pipeline = safe ? _safe : _unsafe;
        return await pipeline.ExecuteAsync(async token => await SendAsync<T>(service, method, json, token), cancellationToken);
    }

    private async Task<T> SendAsync<T>(string service, string method, string json, CancellationToken cancellationToken)
    {
        var request = new RestRequest($"v1/{service}/{method}", Method.Post);
        request.AddHeader("Authorization", Account.Credential.AuthorizationHeader());
        request.AddStringBody(json, ContentType.Json);
        var response = await _rest.ExecuteAsync(request, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var what = $"account {Account.Name}: {method}";
        var document = ResponseClassifier.Check(response, what, Account.Credential, _time.GetUtcNow(), _options.MaxRetryAfter);
        try
        {
            return document.Deserialize<T>(KaggleJson.Options)
                ?? throw new KaggleTransientException($"{what}: empty JSON response", response.StatusCode, outcomeUnknown: true);
        }
        catch (JsonException error)
        {
            throw new KaggleException($"{what}: the response does not match the expected shape ({error.Message}); " +
                "the API may have changed, please report it", response.StatusCode, error);
        }
    }

    private ResiliencePipeline Retries(bool outcomeUnknownIsRetryable)
    {
        var options = new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<KaggleTransientException>(e => outcomeUnknownIsRetryable || !e.OutcomeUnknown),
            MaxRetryAttempts = Math.Max(1, _options.MaxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.BaseDelay,
            MaxDelay = _options.MaxDelay,
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Exception is KaggleTransientException { RetryAfter: { } after } ? after : (TimeSpan?)null),
            OnRetry = args =>
            {
                _log.Warn($"{args.Outcome.Exception?.Message}; retry {args.AttemptNumber + 1}/{_options.MaxRetries} in {args.RetryDelay.TotalSeconds:0.#} s");
                return ValueTask.CompletedTask;
            },
        };
        if (_options.Randomizer is not null)
            options.Randomizer = _options.Randomizer;
        return new ResiliencePipelineBuilder { TimeProvider = _time }.AddRetry(options).Build();
    }

    public void Dispose() => _rest.Dispose();
}
