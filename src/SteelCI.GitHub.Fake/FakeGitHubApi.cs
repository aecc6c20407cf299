using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SteelCI.GitHub.Fake;

/// <summary>The routes of the fake. Each handler takes <see cref="FakeGitHubState.Gate"/> for the state it touches.</summary>
internal sealed partial class FakeGitHubApi(FakeGitHubOptions options)
{
    private const string Repo = "repos/{owner}/{repo}";
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };
    private readonly Lock rateGate = new();
    private readonly HashSet<string> burnedTags = [];
    private int used;
    private DateTimeOffset? windowReset;

    public FakeGitHubState State { get; } = new(options.BlobDirectory);

    public FakeFaults Faults { get; } = new();

    public Uri BaseUri { get; set; } = new("http://127.0.0.1/");

    /// <summary>The storage origin (another port: another origin, as objects.githubusercontent.com is another host).</summary>
    public Uri StorageUri { get; set; } = new("http://127.0.0.1/");

    private Uri ApiBase => new(BaseUri, "api/v3/");

    private DateTimeOffset Now => options.Time.GetUtcNow();

    public void Map(WebApplication app)
    {
        app.Use(Origins);
        app.Use(Guard);
        var api = app.MapGroup("/api/v3");
        api.MapGet("/rate_limit", RateLimitStatus);
        api.MapGet($"/{Repo}", GetRepository);
        api.MapGet($"/{Repo}/releases", ListReleases);
        api.MapPost($"/{Repo}/releases", CreateRelease);
        api.MapGet($"/{Repo}/releases/latest", LatestRelease);
        api.MapGet($"/{Repo}/releases/tags/{{**tag}}", ReleaseByTag);
        api.MapGet($"/{Repo}/releases/{{id:long}}", GetRelease);
        api.MapMethods($"/{Repo}/releases/{{id:long}}", ["PATCH"], UpdateRelease);
        api.MapDelete($"/{Repo}/releases/{{id:long}}", DeleteRelease);
        api.MapGet($"/{Repo}/releases/{{id:long}}/assets", ListAssets);
        api.MapGet($"/{Repo}/releases/assets/{{id:int}}", GetAsset);
        api.MapMethods($"/{Repo}/releases/assets/{{id:int}}", ["PATCH"], UpdateAsset);
        api.MapDelete($"/{Repo}/releases/assets/{{id:int}}", DeleteAsset);
        MapWorkflows(api);
        MapIssues(api);
        app.MapPost($"/api/uploads/{Repo}/releases/{{id:long}}/assets", UploadAsset);
        app.MapGet("/storage/{id:int}", Storage);
        app.MapGet("/{owner}/{repo}/releases/download/{tag}/{name}", BrowserDownload);
    }

    /// <summary>
    /// Two origins, as on GitHub: asset bytes only from the storage port, everything else only from the API port
    /// (on github.com the API is api.github.com and bytes come from objects.githubusercontent.com).
    /// </summary>
    private async Task Origins(HttpContext context, RequestDelegate next)
    {
        var onStorage = context.Connection.LocalPort == StorageUri.Port;
        if (onStorage != context.Request.Path.StartsWithSegments("/storage"))
        {
            context.Response.StatusCode = 404;
            return;
        }
        await next(context);
    }

    /// <summary>Empties the primary budget until <paramref name="resetIn"/> from now on the fake's clock.</summary>
    public void ExhaustRateLimit(TimeSpan resetIn)
    {
        lock (rateGate)
        {
            used = options.RateLimit;
            windowReset = Now + resetIn;
        }
    }

    // ---- cross-cutting: latency, auth, faults, rate limits, request log ----

    private readonly Lock idleGate = new();
    private int active;
    private TaskCompletionSource idle = CompletedIdle();

    private static TaskCompletionSource CompletedIdle()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>Completes when no request is being handled (a client that died mid-request leaves the server busy for a moment).</summary>
    public Task WhenIdle()
    {
        lock (idleGate)
            return idle.Task;
    }

    private async Task Guard(HttpContext context, RequestDelegate next)
    {
        lock (idleGate)
            if (active++ == 0)
                idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await Handle(context, next);
        }
        finally
        {
            lock (idleGate)
                if (--active == 0)
                    idle.SetResult();
        }
    }

    private async Task Handle(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "";
        var hadAuthorization = context.Request.Headers.Authorization.Count > 0;
        if (Faults.Latency > TimeSpan.Zero)
            await Task.Delay(Faults.Latency, options.Time, context.RequestAborted);
        var isApi = path.StartsWith("/api/", StringComparison.Ordinal);
        try
        {
            if (!isApi)
            {
                await next(context);
                return;
            }
            if (!Authorized(context, out var problem))
            {
                await WriteMessage(context, 401, problem);
                return;
            }
            context.Response.OnStarting(() =>
            {
                WriteRateHeaders(context.Response, counted: context.Response.StatusCode != 304);
                return Task.CompletedTask;
            });
            if (Faults.TakeSecondary(path) is { } secondary)
            {
                context.Response.Headers["retry-after"] = secondary.RetryAfter.ToString(CultureInfo.InvariantCulture);
                await WriteMessage(context, secondary.Status,
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.");
                return;
            }
            if (PrimaryExhausted())
            {
                await WriteMessage(context, 403, "API rate limit exceeded for user ID 1. (But here's the good news: Authenticated requests get a higher rate limit.)");
                return;
            }
            await next(context);
        }
        finally
        {
            State.Record(new FakeRequest(context.Request.Method, path, hadAuthorization, context.Response.StatusCode));
        }
    }

    private bool Authorized(HttpContext context, out string problem)
    {
        problem = "";
        if (options.Token is null)
            return true;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            problem = "Requires authentication";
            return HttpMethods.IsGet(context.Request.Method);
        }
        var space = header.IndexOf(' ');
        var scheme = space < 0 ? "" : header[..space];
        var token = space < 0 ? "" : header[(space + 1)..].Trim();
        problem = "Bad credentials";
        return (scheme.Equals("token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
               && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(options.Token));
    }

    private bool PrimaryExhausted()
    {
        lock (rateGate)
        {
            RollWindow();
            return used >= options.RateLimit;
        }
    }

    private void RollWindow()
    {
        var now = Now;
        if (windowReset is null || now >= windowReset)
        {
            used = 0;
            windowReset = now + options.RateLimitWindow;
        }
    }

    private void WriteRateHeaders(HttpResponse response, bool counted)
    {
        lock (rateGate)
        {
            RollWindow();
            if (counted && used < options.RateLimit)
                used++;
            response.Headers["x-ratelimit-limit"] = options.RateLimit.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-remaining"] = (options.RateLimit - used).ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-used"] = used.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-reset"] = windowReset!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-resource"] = "core";
        }
    }

    private Task RateLimitStatus(HttpContext context)
    {
        lock (rateGate)
        {
            RollWindow();
            var core = new { limit = options.RateLimit, remaining = options.RateLimit - used, used, reset = windowReset!.Value.ToUnixTimeSeconds() };
            return WriteJson(context, 200, new { resources = new { core }, rate = core });
        }
    }

    /// <summary>GET /repos/{owner}/{repo} (steelci doctor): any repository exists; an authenticated caller may push.
    /// A classic-token scope header is sent as GitHub does for personal access tokens.</summary>
    private Task GetRepository(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var mayPush = context.Request.Headers.Authorization.Count > 0;
        context.Response.Headers["X-OAuth-Scopes"] = "repo";
        return WriteJson(context, 200, new
        {
            id = 1, name = repo, full_name = $"{owner}/{repo}", @private = true, default_branch = "main",
            owner = new { login = owner, id = 1 },
            permissions = new { admin = false, push = mayPush, pull = true },
            url = $"{ApiBase}repos/{owner}/{repo}", html_url = $"{BaseUri}{owner}/{repo}",
        });
    }

    // ---- releases ----

    private Task ListReleases(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var mayPush = context.Request.Headers.Authorization.Count > 0;
        List<object> all;
        lock (State.Gate)
            all = State.ReleasesOf(owner, repo).Where(r => mayPush || !r.Draft).Select(ReleaseJson).ToList();
        return WritePage(context, all);
    }

    private async Task CreateRelease(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        using var body = await ReadBody(context);
        if (body is null || Text(body.RootElement, "tag_name") is not { Length: > 0 } tag)
        {
            await WriteValidation(context, "Release", "missing_field", "tag_name");
            return;
        }
        object json;
        lock (State.Gate)
        {
            var draft = Bool(body.RootElement, "draft") ?? false;
            if (!draft && TagTaken(owner, repo, tag, except: null) is { } code)
                json = code;
            else
            {
                var release = State.AddRelease(owner, repo, tag, Now);
                release.Draft = draft;
                Apply(release, body.RootElement);
                if (!release.Draft)
                    Publish(release);
                json = ReleaseJson(release);
                context.Response.Headers.Location = $"{ApiBase}repos/{owner}/{repo}/releases/{release.Id}";
            }
        }
        if (json is string failure)
            await WriteValidation(context, "Release", failure, "tag_name");
        else
            await WriteJson(context, 201, json);
    }

    private Task LatestRelease(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        object? json;
        lock (State.Gate)
            json = State.ReleasesOf(owner, repo).Where(r => !r.Draft && !r.Prerelease).Select(ReleaseJson).FirstOrDefault();
        return json is null ? NotFound(context) : WriteJson(context, 200, json);
    }

    private Task ReleaseByTag(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var tag = (string)context.Request.RouteValues["tag"]!;
        object? json;
        lock (State.Gate)
            json = State.ReleasesOf(owner, repo).Where(r => !r.Draft && r.Tag == tag).Select(ReleaseJson).FirstOrDefault();
        return json is null ? NotFound(context) : WriteJson(context, 200, json);
    }

    private Task GetRelease(HttpContext context)
    {
        object? json;
        lock (State.Gate)
            json = FindRelease(context) is { } release ? ReleaseJson(release) : null;
        return json is null ? NotFound(context) : WriteJson(context, 200, json);
    }

    private async Task UpdateRelease(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        using var body = await ReadBody(context);
        object? json;
        lock (State.Gate)
        {
            var release = FindRelease(context);
            if (release is null || body is null)
                json = null;
            else
            {
                var tag = Text(body.RootElement, "tag_name") ?? release.Tag;
                var draft = Bool(body.RootElement, "draft") ?? release.Draft;
                if (release.Immutable)
                    json = "immutable";
                else if (!draft && TagTaken(owner, repo, tag, except: release) is { } code)
                    json = code;
                else
                {
                    release.Tag = tag;
                    var wasDraft = release.Draft;
                    release.Draft = draft;
                    Apply(release, body.RootElement);
                    if (wasDraft && !draft)
                        Publish(release);
                    json = ReleaseJson(release);
                }
            }
        }
        switch (json)
        {
            case null: await NotFound(context); break;
            case "immutable": await WriteMessage(context, 422, "Cannot modify an immutable release"); break;
            case string failure: await WriteValidation(context, "Release", failure, "tag_name"); break;
            default: await WriteJson(context, 200, json); break;
        }
    }

    private Task DeleteRelease(HttpContext context)
    {
        lock (State.Gate)
        {
            if (FindRelease(context) is not { } release)
                return NotFound(context);
            State.RemoveRelease(release);
        }
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary>A published release holds the tag; with immutable releases a deleted one burns it.</summary>
    private string? TagTaken(string owner, string repo, string tag, FakeRelease? except)
    {
        if (burnedTags.Contains($"{owner}/{repo}/{tag}".ToLowerInvariant()))
            return "already_exists";
        return State.ReleasesOf(owner, repo).Any(r => r != except && !r.Draft && r.Tag == tag) ? "already_exists" : null;
    }

    private void Publish(FakeRelease release)
    {
        release.PublishedAt = Now;
        if (options.ImmutableReleases)
        {
            release.Immutable = true;
            burnedTags.Add($"{release.Owner}/{release.Repo}/{release.Tag}".ToLowerInvariant());
        }
    }

    private static void Apply(FakeRelease release, JsonElement body)
    {
        release.Name = Text(body, "name") ?? release.Name;
        release.Body = Text(body, "body") ?? release.Body;
        release.TargetCommitish = Text(body, "target_commitish") ?? release.TargetCommitish;
        release.Prerelease = Bool(body, "prerelease") ?? release.Prerelease;
        if (body.TryGetProperty("make_latest", out var latest))
            release.MakeLatest = latest.ValueKind == JsonValueKind.String ? latest.GetString()! : latest.ToString().ToLowerInvariant();
    }

    private FakeRelease? FindRelease(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var id = long.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
        return State.ReleasesOf(owner, repo).FirstOrDefault(r => r.Id == id);
    }

    private object ReleaseJson(FakeRelease r)
    {
        var url = $"{ApiBase}repos/{r.Owner}/{r.Repo}/releases/{r.Id}";
        return new
        {
            url,
            html_url = r.Draft ? $"{BaseUri}{r.Owner}/{r.Repo}/releases/tag/untagged-{r.Id}" : $"{BaseUri}{r.Owner}/{r.Repo}/releases/tag/{r.Tag}",
            assets_url = url + "/assets",
            upload_url = $"{BaseUri}api/uploads/repos/{r.Owner}/{r.Repo}/releases/{r.Id}/assets{{?name,label}}",
            tarball_url = $"{ApiBase}repos/{r.Owner}/{r.Repo}/tarball/{r.Tag}",
            zipball_url = $"{ApiBase}repos/{r.Owner}/{r.Repo}/zipball/{r.Tag}",
            id = r.Id,
            node_id = $"RE_{r.Id}",
            tag_name = r.Tag,
            target_commitish = r.TargetCommitish,
            name = r.Name,
            body = r.Body,
            draft = r.Draft,
            prerelease = r.Prerelease,
            immutable = r.Immutable,
            created_at = Stamp(r.CreatedAt),
            published_at = r.PublishedAt is { } p ? Stamp(p) : null,
            author = (object?)null,
            assets = r.Assets.Select(a => AssetJson(r, a)).ToList(),
        };
    }

    // ---- assets ----

    private Task ListAssets(HttpContext context)
    {
        List<object>? all;
        lock (State.Gate)
            all = FindRelease(context) is { } release ? release.Assets.Select(a => AssetJson(release, a)).ToList() : null;
        return all is null ? NotFound(context) : WritePage(context, all);
    }

    private Task GetAsset(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var id = int.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
        object? json;
        lock (State.Gate)
            json = State.FindAsset(owner, repo, id) is { } asset ? AssetJson(State.ReleaseOf(asset)!, asset) : null;
        if (json is null)
            return NotFound(context);
        if (context.Request.Headers.Accept.ToString().Contains("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            return RedirectToStorage(context, id);
        return WriteJson(context, 200, json);
    }

    private Task BrowserDownload(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var tag = (string)context.Request.RouteValues["tag"]!;
        var name = (string)context.Request.RouteValues["name"]!;
        int? id;
        lock (State.Gate)
            id = State.ReleasesOf(owner, repo).Where(r => !r.Draft && r.Tag == tag).SelectMany(r => r.Assets).FirstOrDefault(a => a.Name == name)?.Id;
        return id is { } found ? RedirectToStorage(context, found) : NotFound(context);
    }

    private Task RedirectToStorage(HttpContext context, int id)
    {
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = $"{StorageUri}storage/{id}?X-Amz-Signature={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        return Task.CompletedTask;
    }

    private async Task UpdateAsset(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var id = int.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
        using var body = await ReadBody(context);
        object? json;
        lock (State.Gate)
        {
            var asset = State.FindAsset(owner, repo, id);
            if (asset is null || body is null)
                json = null;
            else
            {
                asset.Name = Text(body.RootElement, "name") ?? asset.Name;
                asset.Label = Text(body.RootElement, "label") ?? asset.Label;
                json = AssetJson(State.ReleaseOf(asset)!, asset);
            }
        }
        await (json is null ? NotFound(context) : WriteJson(context, 200, json));
    }

    private Task DeleteAsset(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var id = int.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
        lock (State.Gate)
        {
            if (State.FindAsset(owner, repo, id) is not { } asset)
                return NotFound(context);
            var release = State.ReleaseOf(asset)!;
            if (release.Immutable)
                return WriteMessage(context, 422, "Cannot delete assets of an immutable release");
            release.Assets.Remove(asset);
            State.DeleteBlob(asset.Id);
        }
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary>GitHub refuses the 1001st asset of a release (enforced since about 2025-07; github-api.md §1.4). Every
    /// asset counts, a failed upload's short <c>starter</c> one too [G].</summary>
    public const int MaxAssetsPerRelease = 1000;

    private async Task UploadAsset(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var rawName = context.Request.Query["name"].ToString();
        if (rawName.Length == 0)
        {
            await WriteValidation(context, "ReleaseAsset", "missing_field", "name");
            return;
        }
        if (string.IsNullOrEmpty(context.Request.ContentType))
        {
            await WriteMessage(context, 400, "Content-Type header is required");
            return;
        }
        var name = GitHubName(rawName);
        FakeAsset? asset = null;
        var refusal = 0;
        lock (State.Gate)
        {
            var release = FindRelease(context);
            if (release is null)
                refusal = 404;
            else if (release.Immutable)
                refusal = 4221;
            else if (release.Assets.Any(a => a.Name == name))
                refusal = 4222;
            else if (release.Assets.Count >= MaxAssetsPerRelease)
                refusal = 4223;
            else
            {
                asset = new FakeAsset
                {
                    Id = State.NextAssetId(), ReleaseId = release.Id, Name = name, ContentType = context.Request.ContentType!,
                    Label = context.Request.Query["label"].ToString() is { Length: > 0 } label ? label : null, CreatedAt = Now,
                };
                release.Assets.Add(asset);
            }
        }
        if (asset is null)
        {
            await (refusal switch
            {
                404 => NotFound(context),
                4221 => WriteMessage(context, 422, "Cannot upload assets to an immutable release."),
                4223 => WriteJson(context, 422, new
                {
                    message = "Validation Failed",
                    errors = new[] { new { resource = "ReleaseAsset", code = "custom", field = "file_count", message = $"file_count limited to {MaxAssetsPerRelease} assets" } },
                    documentation_url = "https://docs.github.com/rest/releases/assets#upload-a-release-asset",
                    status = "422",
                }),
                _ => WriteValidation(context, "ReleaseAsset", "already_exists", "name"),
            });
            return;
        }

        State.OnUploadStarted(asset);
        var keep = Faults.TakeUploadFailure();
        var declared = context.Request.ContentLength;
        long keepLimit = keep is { } fraction && declared is { } length ? (long)(length * fraction) : long.MaxValue;
        long received = 0, stored = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blob = State.CreateBlob(asset.Id);
        var buffer = new byte[1 << 16];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                received += read;
                var take = (int)Math.Min(read, Math.Max(0, keepLimit - stored));
                if (take > 0)
                {
                    await blob.WriteAsync(buffer.AsMemory(0, take));
                    hash.AppendData(buffer, 0, take);
                    stored += take;
                }
            }
        }
        catch (Exception error) when (error is IOException or OperationCanceledException)
        {
            // The client went away mid-body: GitHub keeps a 'starter' asset with what arrived.
            await Finish(asset, blob, stored, null);
            return;
        }
        var complete = keep is null && (declared is null || declared == received);
        await Finish(asset, blob, stored, complete ? Convert.ToHexStringLower(hash.GetHashAndReset()) : null);
        if (keep is not null)
        {
            await WriteMessage(context, 502, "Bad Gateway: upstream failure while storing the asset");
            return;
        }
        object json;
        lock (State.Gate)
            json = AssetJson(State.ReleaseOf(asset)!, asset);
        await WriteJson(context, 201, json);
    }

    private async Task Finish(FakeAsset asset, Stream blob, long stored, string? sha256)
    {
        await blob.FlushAsync();
        State.CommitBlob(asset.Id, blob);
        await blob.DisposeAsync();
        lock (State.Gate)
        {
            asset.Size = stored;
            asset.Sha256 = sha256;
            asset.State = sha256 is null ? "starter" : "uploaded";
        }
    }

    private async Task Storage(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count > 0)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>");
            return;
        }
        var id = int.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
        long size;
        var name = "";
        lock (State.Gate)
        {
            var asset = State.ReleasesOfAll().SelectMany(r => r.Assets).FirstOrDefault(a => a.Id == id);
            if (asset is null)
                size = -1;
            else
            {
                (size, name) = (asset.Size, asset.Name);
                asset.DownloadCount++;
            }
        }
        if (size < 0)
        {
            context.Response.StatusCode = 404;
            return;
        }
        long start = 0, end = size - 1;
        var range = context.Request.Headers.Range.ToString();
        if (range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            var parts = range["bytes=".Length..].Split('-');
            start = long.Parse(parts[0], CultureInfo.InvariantCulture);
            if (parts.Length > 1 && parts[1].Length > 0)
                end = Math.Min(end, long.Parse(parts[1], CultureInfo.InvariantCulture));
            if (start >= size)
            {
                context.Response.StatusCode = 416;
                context.Response.Headers.ContentRange = $"bytes */{size}";
                return;
            }
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {start}-{end}/{size}";
        }
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.AcceptRanges = "bytes";
        var length = Math.Max(0, end - start + 1);
        context.Response.ContentLength = length;
        var cut = Faults.TakeDownloadCut(name);
        await using var blob = State.OpenBlob(id);
        blob.Position = start;
        var buffer = new byte[1 << 16];
        long sent = 0;
        while (sent < length)
        {
            var want = (int)Math.Min(buffer.Length, length - sent);
            if (cut is { } limit)
                want = (int)Math.Min(want, limit - sent);
            if (want <= 0)
            {
                await context.Response.Body.FlushAsync();
                context.Abort(); // a cut transfer: the client sees the connection drop mid-body
                return;
            }
            var read = await blob.ReadAsync(buffer.AsMemory(0, want));
            if (read == 0)
                break;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read));
            sent += read;
        }
    }

    private object AssetJson(FakeRelease release, FakeAsset a) => new
    {
        url = $"{ApiBase}repos/{release.Owner}/{release.Repo}/releases/assets/{a.Id}",
        browser_download_url = $"{BaseUri}{release.Owner}/{release.Repo}/releases/download/{release.Tag}/{a.Name}",
        id = a.Id,
        node_id = $"RA_{a.Id}",
        name = a.Name,
        label = a.Label,
        state = a.State,
        content_type = a.ContentType,
        size = a.Size,
        digest = a.Sha256 is null ? null : "sha256:" + a.Sha256,
        download_count = a.DownloadCount,
        created_at = Stamp(a.CreatedAt),
        updated_at = Stamp(a.CreatedAt),
        uploader = (object?)null,
    };

    /// <summary>GitHub replaces characters outside [A-Za-z0-9._-] in asset names with dots.</summary>
    private static string GitHubName(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '.').ToArray());

    // ---- plumbing ----

    private static (string Owner, string Repo) OwnerRepo(HttpContext context) =>
        ((string)context.Request.RouteValues["owner"]!, (string)context.Request.RouteValues["repo"]!);

    private static async Task<JsonDocument?> ReadBody(HttpContext context)
    {
        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Bool(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>One page of a list, with GitHub's Link header (first, prev, next, last) when there is more than one.</summary>
    private Task WritePage(HttpContext context, List<object> all)
    {
        var perPage = Math.Clamp(int.TryParse(context.Request.Query["per_page"], out var p) ? p : 30, 1, 100);
        var page = Math.Max(1, int.TryParse(context.Request.Query["page"], out var n) ? n : 1);
        var last = Math.Max(1, (all.Count + perPage - 1) / perPage);
        string Link(int target) => $"<{BaseUri.GetLeftPart(UriPartial.Authority)}{context.Request.Path}?per_page={perPage}&page={target}>";
        var links = new List<string>();
        if (page < last)
            links.AddRange([$"{Link(page + 1)}; rel=\"next\"", $"{Link(last)}; rel=\"last\""]);
        if (page > 1)
            links.AddRange([$"{Link(1)}; rel=\"first\"", $"{Link(page - 1)}; rel=\"prev\""]);
        if (links.Count > 0)
            context.Response.Headers["Link"] = string.Join(", ", links);
        return WriteJson(context, 200, all.Skip((page - 1) * perPage).Take(perPage).ToList());
    }

    /// <summary>JSON with an ETag; a GET whose If-None-Match matches gets 304, which costs no rate limit.</summary>
    private static async Task WriteJson(HttpContext context, int status, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions);
        if (status == 200 && HttpMethods.IsGet(context.Request.Method))
        {
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"";
            context.Response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                context.Response.StatusCode = 304;
                return;
            }
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    private static Task WriteMessage(HttpContext context, int status, string message) =>
        WriteJson(context, status, new { message, documentation_url = "https://docs.github.com/rest", status = status.ToString(CultureInfo.InvariantCulture) });

    private static Task WriteValidation(HttpContext context, string resource, string code, string field) =>
        WriteJson(context, 422, new
        {
            message = "Validation Failed",
            errors = new[] { new { resource, code, field } },
            documentation_url = "https://docs.github.com/rest/releases",
            status = "422",
        });

    private static Task NotFound(HttpContext context) => WriteMessage(context, 404, "Not Found");
}
