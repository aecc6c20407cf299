using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SteelCI.GitHub.Fake;

/// <summary>
/// A loopback fake of GitHub's releases REST API that real Octokit works against unchanged. The API answers under
/// <c>/api/v3/</c> (what Octokit targets for a non-github.com host), uploads under <c>/api/uploads/</c> (GitHub
/// Enterprise style <c>upload_url</c>), and asset bytes from <c>/storage/</c> on a second port, another origin as GitHub's
/// storage host is another host, so a standard HTTP client that follows the download redirect drops Authorization by
/// itself; storage refuses the header like GitHub's storage hosts do. State lives in memory; see docs/github.md.
/// </summary>
public sealed class FakeGitHubServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeGitHubServer(WebApplication app, FakeGitHubApi api, Uri baseUri, Uri storageUri)
    {
        this.app = app;
        Api = api;
        BaseUri = baseUri;
        StorageUri = storageUri;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseUri { get; }

    /// <summary>Where asset bytes are served: http://localhost:OTHERPORT/ (another host and origin than the API's 127.0.0.1).</summary>
    public Uri StorageUri { get; }

    /// <summary>The REST base to give a client: http://127.0.0.1:PORT/api/v3/</summary>
    public Uri ApiUri => new(BaseUri, "api/v3/");

    public FakeGitHubState State => Api.State;

    public FakeFaults Faults => Api.Faults;

    internal FakeGitHubApi Api { get; }

    public static async Task<FakeGitHubServer> StartAsync(FakeGitHubOptions options, CancellationToken cancellationToken = default)
    {
        ListenOptions? apiListen = null, storageListen = null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // checkpoint parts approach 2 GiB
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => apiListen = listen);
            kestrel.Listen(IPAddress.Loopback, options.StoragePort, listen => storageListen = listen);
        });
        var app = builder.Build();
        var api = new FakeGitHubApi(options);
        api.Map(app);
        await app.StartAsync(cancellationToken);
        // Kestrel writes the bound port back into each endpoint (port 0 = the system's choice).
        var baseUri = new Uri($"http://127.0.0.1:{apiListen!.IPEndPoint!.Port}/");
        // Another host name as well as another port: clients that compare only the host (Octokit) drop Authorization too.
        var storageUri = new Uri($"http://localhost:{storageListen!.IPEndPoint!.Port}/");
        api.BaseUri = baseUri;
        api.StorageUri = storageUri;
        return new FakeGitHubServer(app, api, baseUri, storageUri);
    }

    /// <summary>Runs until cancelled (for <c>steelci fake github --port N</c>).</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Completes once no request is in progress; after a client dies mid-upload, the fake finishes recording it.</summary>
    public Task WhenIdle() => Api.WhenIdle();

    /// <summary>Empties the primary rate-limit budget until <paramref name="resetIn"/> from now on the fake's clock.</summary>
    public void ExhaustRateLimit(TimeSpan resetIn) => Api.ExhaustRateLimit(resetIn);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
