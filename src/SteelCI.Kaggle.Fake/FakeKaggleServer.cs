using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SteelCI.Kaggle.Fake;

/// <summary>
/// A loopback fake of Kaggle's RPC API on Kestrel at 127.0.0.1, serving <c>/v1/{service}/{Method}</c> and
/// <c>/api/v1/{service}/{Method}</c>, signed-looking output URLs (<c>/fake-output/{id}</c>, no auth, Range) and
/// resumable upload URLs (<c>/fake-upload/{id}</c>, 308/Range). See docs/kaggle.md.
/// </summary>
public sealed class FakeKaggleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeKernelService _kernels;
    private readonly FakeDatasetService _datasets;
    private readonly FakeKaggleOptions _options;
    private readonly string _dataDirectory;
    private readonly bool _ownsData;
    private string _baseUrl = "";

    private FakeKaggleServer(FakeKaggleOptions options)
    {
        _options = options;
        _ownsData = options.DataDirectory is null;
        _dataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "steelci-fake-kaggle-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dataDirectory);
        var runner = options.Runner ?? new ScriptedKernelRunner(options.Time, TimeSpan.FromSeconds(60));
        _datasets = new FakeDatasetService(State, options, _dataDirectory, () => _baseUrl);
        _kernels = new FakeKernelService(State, options, runner, _datasets, _dataDirectory, () => _baseUrl);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = null; // checkpoints and runtimes are far over Kestrel's 30 MB default
        });
        _app = builder.Build();
        _app.MapPost("/v1/{service}/{method}", Rpc);
        _app.MapPost("/api/v1/{service}/{method}", Rpc);
        _app.MapPut("/fake-upload/{id}", Upload);
        _app.MapGet("/fake-output/{id}", Download);
        var logs = new FakeLogStream(State, options, Faults, _kernels, Authenticate);
        _app.MapGet("/v1/kernels/logs/stream/{owner}/{slug}", logs.Serve);
        _app.MapGet("/api/v1/kernels/logs/stream/{owner}/{slug}", logs.Serve);
    }

    public FakeKaggleState State { get; } = new();
    public FakeFaults Faults { get; } = new();
    /// <summary>http://127.0.0.1:PORT/ — give it to KaggleClientOptions.BaseUrl.</summary>
    public Uri BaseUrl => new(_baseUrl);
    public string DataDirectory => _dataDirectory;

    /// <summary>
    /// Moves every kernel version along its lifecycle now, as each request does first (the service's sessions start
    /// and end whether or not anybody asks): for a test that waits between ticks without calling the API.
    /// </summary>
    public void AdvanceKernels()
    {
        lock (State.Gate)
            _kernels.Advance();
    }

    public static async Task<FakeKaggleServer> StartAsync(FakeKaggleOptions options, CancellationToken cancellationToken)
    {
        var server = new FakeKaggleServer(options);
        await server._app.StartAsync(cancellationToken);
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server._baseUrl = address.TrimEnd('/') + "/";
        return server;
    }

    private async Task Rpc(HttpContext context, string service, string method)
    {
        State.CountCall(method);
        if (Faults.TakeReply(method) is { } canned)
        {
            context.Response.StatusCode = canned.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(canned.Body, context.RequestAborted);
            return;
        }
        var fault = Faults.Take(method);
        if (fault is FakeFault.ResetBefore)
        {
            context.Abort();
            return;
        }
        if (fault is FakeFault.Slow)
            await Task.Delay(Faults.SlowDelay, context.RequestAborted);
        if (fault is { } early && early is not (FakeFault.ResetAfter or FakeFault.Slow))
        {
            await WriteFault(context, early);
            return;
        }

        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync(context.RequestAborted);
        FakeResult result;
        try
        {
            result = Dispatch(context, service, method, FakeRequest.Parse(body));
        }
        catch (JsonException)
        {
            result = FakeResult.BadRequest("the body is not valid JSON");
        }
        if (fault is FakeFault.ResetAfter)
        {
            context.Abort(); // the effect happened; the client never hears of it
            return;
        }
        context.Response.StatusCode = result.Status;
        await context.Response.WriteAsJsonAsync(result.Body, FakeWire.Response, context.RequestAborted);
    }

    private FakeResult Dispatch(HttpContext context, string service, string method, FakeRequest request)
    {
        // Checked as the SDK writes it, before anything else (the order of checks is [G]).
        if (FakeSchema.ByMethod.TryGetValue(method, out var schema) && schema.Check(request.Root) is { } problem)
            return FakeResult.BadRequest(problem);
        lock (State.Gate)
        {
            if (service == "security.OAuthService" && method == "IntrospectToken")
                return Introspect(request);
            var user = Authenticate(context.Request.Headers.Authorization.ToString());
            if (user is null)
                return FakeResult.Error(401, "Unauthenticated: the credentials are missing, invalid or expired", "UNAUTHENTICATED");
            _kernels.Advance();
            return service switch
            {
                "kernels.KernelsApiService" => _kernels.Handle(method, user, request),
                "datasets.DatasetApiService" or "blobs.BlobApiService" => _datasets.Handle(method, user, request),
                _ => FakeResult.NotFound($"service {service}"),
            };
        }
    }

    private FakeResult Introspect(FakeRequest request)
    {
        var token = request.String("token") ?? "";
        if (!State.Tokens.TryGetValue(token, out var user))
            return FakeResult.BadRequest("invalid token");
        return FakeResult.Ok(new { active = true, username = user, userId = State.UserIds[user], scope = "resources.admin:*" });
    }

    private string? Authenticate(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
            return State.Tokens.GetValueOrDefault(header["Bearer ".Length..].Trim());
        if (header.StartsWith("Basic ", StringComparison.Ordinal) && !_options.RejectBasicAuth)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            }
            catch (FormatException)
            {
                return null;
            }
            var colon = decoded.IndexOf(':');
            if (colon > 0 && State.LegacyKeys.TryGetValue(decoded[..colon], out var key) && key == decoded[(colon + 1)..])
                return decoded[..colon];
        }
        return null;
    }

    private static async Task WriteFault(HttpContext context, FakeFault fault)
    {
        switch (fault)
        {
            case FakeFault.Html:
                context.Response.StatusCode = 200;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><head><title>Kaggle: maintenance</title></head><body>Back soon</body></html>");
                return;
            case FakeFault.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = new { code = 500, message = "Internal error", status = "INTERNAL" } });
                return;
            case FakeFault.Unauthorized:
                context.Response.StatusCode = 401;
                return;
            default:
                context.Response.StatusCode = 429;
                if (fault == FakeFault.RateLimited)
                    context.Response.Headers.RetryAfter = "1";
                else if (fault == FakeFault.RateLimitedBadRetryAfter)
                    context.Response.Headers.RetryAfter = "soon-ish";
                await context.Response.WriteAsJsonAsync(new { error = new { code = 429, message = "Too many requests", status = "RESOURCE_EXHAUSTED" } });
                return;
        }
    }

    private async Task Upload(HttpContext context, string id)
    {
        FakeBlob? blob;
        lock (State.Gate)
            blob = State.BlobsById.GetValueOrDefault(id);
        if (blob is null)
        {
            context.Response.StatusCode = 404;
            return;
        }
        var range = context.Request.Headers.ContentRange.ToString();
        if (range.StartsWith("bytes */", StringComparison.Ordinal))
        {
            Answer(context, blob);
            return;
        }
        var start = 0L;
        if (range.StartsWith("bytes ", StringComparison.Ordinal))
            start = long.Parse(range["bytes ".Length..range.IndexOf('-')], System.Globalization.CultureInfo.InvariantCulture);
        if (start > blob.Received)
        {
            context.Response.StatusCode = 400;
            return;
        }
        var cut = Faults.TakeCut(upload: true) ? (blob.Length - start) / 2 : long.MaxValue;
        await using (var file = new FileStream(blob.Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read))
        {
            file.SetLength(start);
            file.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[1 << 16];
            try
            {
                while (true)
                {
                    var want = (int)Math.Min(buffer.Length, cut - (file.Position - start));
                    var read = want <= 0 ? 0 : await context.Request.Body.ReadAsync(buffer.AsMemory(0, want));
                    if (read == 0)
                        break;
                    await file.WriteAsync(buffer.AsMemory(0, read));
                    State.CountBytes(read);
                }
            }
            catch (Exception error) when (error is IOException or BadHttpRequestException or OperationCanceledException)
            {
                // the client went away mid-body: keep what arrived, as a resumable upload does
            }
            lock (State.Gate)
                blob.Received = Math.Min(file.Position, blob.Length);
        }
        if (cut != long.MaxValue)
        {
            context.Abort();
            return;
        }
        Answer(context, blob);
    }

    private static void Answer(HttpContext context, FakeBlob blob)
    {
        if (blob.Complete)
        {
            context.Response.StatusCode = 200;
            return;
        }
        context.Response.StatusCode = 308;
        if (blob.Received > 0)
            context.Response.Headers["Range"] = $"bytes=0-{blob.Received - 1}";
    }

    private async Task Download(HttpContext context, string id)
    {
        string? path;
        lock (State.Gate)
            path = State.Downloads.GetValueOrDefault(id);
        if (path is null || !File.Exists(path))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var info = new FileInfo(path);
        if (Faults.TakeCut(upload: false))
        {
            var from = context.Request.GetTypedHeaders().Range?.Ranges.FirstOrDefault()?.From ?? 0;
            context.Response.StatusCode = from > 0 ? 206 : 200;
            context.Response.ContentLength = info.Length - from;
            if (from > 0)
                context.Response.Headers.ContentRange = $"bytes {from}-{info.Length - 1}/{info.Length}";
            await using var stream = File.OpenRead(path);
            stream.Seek(from, SeekOrigin.Begin);
            var left = (info.Length - from) / 2;
            var buffer = new byte[1 << 16];
            while (left > 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read));
                left -= read;
            }
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }
        await Results.File(path, "application/octet-stream", lastModified: info.LastWriteTimeUtc, enableRangeProcessing: true).ExecuteAsync(context);
    }

    public async ValueTask DisposeAsync()
    {
        lock (State.Gate)
            foreach (var version in State.Kernels.Values.SelectMany(k => k.Versions).Where(v => v.IsActive))
                version.Run?.Kill();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsData && Directory.Exists(_dataDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(_dataDirectory, "*", SearchOption.AllDirectories))
                File.SetAttributes(file, FileAttributes.Normal);
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
