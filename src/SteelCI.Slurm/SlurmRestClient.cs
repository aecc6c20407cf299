using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SteelCI.Slurm;

/// <summary>
/// slurmrestd over HTTP with JWT auth (headers X-SLURM-USER-NAME, X-SLURM-USER-TOKEN). The token is read from the
/// environment variable the spec names at each request (a renewed token is picked up) and never appears in a message.
/// The API version is chosen once from /openapi/v3.
/// </summary>
public sealed class SlurmRestClient(HttpClient http, SlurmOptions options, Func<string, string?> environment) : ISlurmClient
{
    private Uri RestUrl => options.RestUrl ?? throw new InvalidOperationException("compute.slurm has no rest_url");

    public async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        var dialect = await DialectAsync(cancellationToken);
        var release = await PingAsync(cancellationToken);
        return $"{RestUrl} speaks {dialect.Version}, Slurm {release}; token of {options.User} accepted";
    }

    /// <summary>Slurm's ESLURM_INVALID_JOB_ID: the job is not (or no longer) in slurmctld's memory.</summary>
    public const int InvalidJobId = 2017;

    private SlurmDialect? _dialect;

    public async Task<SlurmDialect> DialectAsync(CancellationToken cancellationToken)
    {
        if (_dialect is not null)
            return _dialect;
        var spec = await SendAsync(HttpMethod.Get, "openapi/v3", null, cancellationToken);
        var paths = (spec.Body["paths"] as JsonObject)?.Select(p => p.Key) ?? [];
        return _dialect = SlurmDialect.Choose(paths);
    }

    /// <summary>The Slurm release the server reports (meta.Slurm.release), e.g. 22.05.8.</summary>
    public async Task<string> PingAsync(CancellationToken cancellationToken)
    {
        var dialect = await DialectAsync(cancellationToken);
        var response = await SendAsync(HttpMethod.Get, $"slurm/{dialect.Version}/ping", null, cancellationToken);
        ThrowOnErrors(response, "ping");
        return response.Body["meta"]?["Slurm"]?["release"]?.GetValue<string>() ?? "unknown";
    }

    public async Task<long> SubmitAsync(SlurmSubmission submission, CancellationToken cancellationToken)
    {
        var dialect = await DialectAsync(cancellationToken);
        var response = await SendAsync(HttpMethod.Post, $"slurm/{dialect.Version}/job/submit", dialect.SubmitBody(submission), cancellationToken);
        ThrowOnErrors(response, $"submitting {submission.Name}");
        return dialect.ParseSubmitted(response.Body);
    }

    /// <summary>The job, or null when slurmctld no longer knows it (ended longer than MinJobAge ago, or never existed).</summary>
    public async Task<SlurmJob?> GetJobAsync(long id, CancellationToken cancellationToken)
    {
        var dialect = await DialectAsync(cancellationToken);
        var response = await SendAsync(HttpMethod.Get, $"slurm/{dialect.Version}/job/{id}", null, cancellationToken);
        if (Errors(response.Body).Any(e => e.Number == InvalidJobId))
            return null;
        ThrowOnErrors(response, $"reading job {id}");
        var job = (response.Body["jobs"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(j => j["job_id"]?.GetValue<long>() == id);
        return job is null ? null : dialect.ParseJob(job);
    }

    /// <summary>The partition's wall-clock limit in minutes (null: none); a partition Slurm does not know is an error.</summary>
    public async Task<double?> PartitionLimitAsync(string name, CancellationToken cancellationToken)
    {
        var dialect = await DialectAsync(cancellationToken);
        var response = await SendAsync(HttpMethod.Get, $"slurm/{dialect.Version}/partition/{Uri.EscapeDataString(name)}", null, cancellationToken);
        ThrowOnErrors(response, $"reading partition {name}");
        var partition = (response.Body["partitions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()
            ?? throw new SlurmException($"slurmrestd knows no partition {name}");
        return dialect.ParseMaxMinutes(partition);
    }

    /// <summary>Cancels the job (scancel); a job Slurm no longer knows is already gone.</summary>
    public async Task CancelAsync(long id, CancellationToken cancellationToken)
    {
        var dialect = await DialectAsync(cancellationToken);
        var response = await SendAsync(HttpMethod.Delete, $"slurm/{dialect.Version}/job/{id}", null, cancellationToken);
        if (Errors(response.Body).Any(e => e.Number == InvalidJobId))
            return;
        ThrowOnErrors(response, $"cancelling job {id}");
    }

    private sealed record Response(HttpStatusCode Status, JsonObject Body);

    private async Task<Response> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var token = environment(options.TokenEnv);
        if (string.IsNullOrWhiteSpace(token))
            throw new SlurmException($"the environment variable {options.TokenEnv} (compute.slurm.token_env) is empty; " +
                $"on the cluster run `scontrol token username={options.User} lifespan=86400` and export {options.TokenEnv}=<the token>");
        using var request = new HttpRequestMessage(method, new Uri(RestUrl, path));
        request.Headers.Add("X-SLURM-USER-NAME", options.User);
        request.Headers.Add("X-SLURM-USER-TOKEN", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            // 22.05 matches the media type exactly: "application/json; charset=utf-8" is "Unable to parse query".
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new SlurmException($"slurmrestd at {RestUrl} refused user {options.User} with the token in {options.TokenEnv} " +
                $"({(int)response.StatusCode}); the token may have expired: run `scontrol token username={options.User}` again");
        JsonObject? parsed = null;
        try
        {
            parsed = JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        if (parsed is null)
            throw new SlurmException($"slurmrestd at {RestUrl} answered {method} /{path} with {(int)response.StatusCode} and no JSON: " +
                text[..Math.Min(200, text.Length)]);
        return new Response(response.StatusCode, parsed);
    }

    private void ThrowOnErrors(Response response, string what)
    {
        var errors = Errors(response.Body).ToList();
        if (errors.Count == 0 && (int)response.Status < 400)
            return;
        var described = errors.Count == 0 ? $"HTTP {(int)response.Status}" : string.Join("; ", errors.Select(e => e.Text));
        // 22.05 passes any token through to slurmctld, which then fails the call with such words (seen with a wrong token).
        var hint = errors.Any(e => AuthWords.Any(w => e.Text.Contains(w, StringComparison.OrdinalIgnoreCase)))
            ? $" (a wrong or expired token in {options.TokenEnv} reads like this: renew it with `scontrol token username={options.User}`)"
            : "";
        throw new SlurmException($"slurmrestd refused {what}: {described}{hint}");
    }

    private static readonly string[] AuthWords = ["auth", "unable to load", "Unspecified error", "permission", "denied"];

    private static IEnumerable<(int? Number, string Text)> Errors(JsonObject body) =>
        (body["errors"] as JsonArray)?.OfType<JsonObject>().Select(e =>
        {
            var number = e["error_number"]?.GetValue<int>() ?? e["error_code"]?.GetValue<int>() ?? e["errno"]?.GetValue<int>();
            var text = string.Join(": ", new[] { e["error"]?.GetValue<string>(), e["description"]?.GetValue<string>() }
                .Where(t => !string.IsNullOrEmpty(t)));
            return (number, text.Length == 0 ? $"error {number}" : text);
        }) ?? [];
}
