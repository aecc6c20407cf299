using System.Net;
using System.Net.Http.Headers;
using Octokit;

namespace SteelCI.GitHub.Tests;

/// <summary>The fake speaks the contract real Octokit 14 expects (github-api.md §1, §2).</summary>
public sealed class FakeServerTests
{
    [Fact]
    public async Task Drafts_are_hidden_from_tag_lookup_until_published()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        var draft = await github.Repository.Release.Create(Harness.Owner, Harness.Repo,
            new NewRelease("severstal-eda-0123456789ab") { Draft = true, Prerelease = true, MakeLatest = MakeLatestQualifier.False });

        await Assert.ThrowsAsync<NotFoundException>(() => github.Repository.Release.Get(Harness.Owner, Harness.Repo, "severstal-eda-0123456789ab"));
        Assert.Contains((await github.Repository.Release.GetAll(Harness.Owner, Harness.Repo)), r => r.Id == draft.Id && r.Draft);

        await github.Repository.Release.Edit(Harness.Owner, Harness.Repo, draft.Id, new ReleaseUpdate { Draft = false });
        var published = await github.Repository.Release.Get(Harness.Owner, Harness.Repo, "severstal-eda-0123456789ab");
        Assert.Equal(draft.Id, published.Id);
        Assert.True(published.Prerelease);
        Assert.False(published.Draft);
        Assert.Equal("false", Assert.Single(h.Releases()).MakeLatest);
        await Assert.ThrowsAsync<NotFoundException>(() => github.Repository.Release.GetLatest(Harness.Owner, Harness.Repo));
    }

    [Fact]
    public async Task Second_release_with_a_published_tag_is_refused_with_already_exists()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        await github.Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease("t1"));
        var error = await Assert.ThrowsAsync<ApiValidationException>(() => github.Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease("t1")));
        Assert.Equal("already_exists", Assert.Single(error.ApiError.Errors).Code);
    }

    [Fact]
    public async Task Listing_follows_link_header_pages()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        for (var i = 0; i < 7; i++)
            await github.Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease($"t{i}"));

        var all = await github.Repository.Release.GetAll(Harness.Owner, Harness.Repo, new ApiOptions { PageSize = 3 });

        Assert.Equal(7, all.Select(r => r.TagName).Distinct().Count());
        Assert.Equal(3, h.Requests("GET", "/releases"));
    }

    [Fact]
    public async Task Asset_download_redirects_to_storage_that_refuses_authorization()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        var release = await github.Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease("t1"));
        var asset = await github.Repository.Release.UploadAsset(release,
            new ReleaseAssetUpload("a.bin", "application/octet-stream", new MemoryStream([1, 2, 3, 4, 5]), null));
        Assert.Equal("uploaded", asset.State);
        Assert.Equal(5, asset.Size);

        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var ask = new HttpRequestMessage(HttpMethod.Get, asset.Url);
        ask.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Harness.Token);
        ask.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
        using var redirect = await http.SendAsync(ask);
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        var storage = redirect.Headers.Location!;

        using var withAuth = new HttpRequestMessage(HttpMethod.Get, storage);
        withAuth.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Harness.Token);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(withAuth)).StatusCode);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, await http.GetByteArrayAsync(storage));

        // Octokit's own download path (github-api.md §2.4) strips Authorization on the host-preserving redirect too? It must get bytes.
        using var ranged = new HttpRequestMessage(HttpMethod.Get, storage);
        ranged.Headers.Range = new RangeHeaderValue(3, null);
        using var part = await http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(new byte[] { 4, 5 }, await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_standard_client_following_the_redirect_downloads_because_storage_is_another_origin()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        var release = await github.Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease("t1"));
        var asset = await github.Repository.Release.UploadAsset(release,
            new ReleaseAssetUpload("a.bin", "application/octet-stream", new MemoryStream([9, 8, 7]), null));

        // HttpClient's defaults: follow redirects, and drop Authorization when the redirect leaves the origin.
        using var http = new HttpClient();
        using var ask = new HttpRequestMessage(HttpMethod.Get, asset.Url);
        ask.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Harness.Token);
        ask.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
        using var answer = await http.SendAsync(ask);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(new byte[] { 9, 8, 7 }, await answer.Content.ReadAsByteArrayAsync());
        var served = answer.RequestMessage!.RequestUri!;
        Assert.NotEqual(h.Server.ApiUri.GetLeftPart(UriPartial.Authority), served.GetLeftPart(UriPartial.Authority));
        Assert.NotEqual(h.Server.ApiUri.Host, served.Host);
        Assert.Equal(h.Server.StorageUri.GetLeftPart(UriPartial.Authority), served.GetLeftPart(UriPartial.Authority));
        Assert.Contains(h.Server.State.Requests, r => r.Path.StartsWith("/storage/", StringComparison.Ordinal) && !r.HadAuthorization && r.Status == 200);

        // Each origin serves only its own paths.
        using var plain = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync(new Uri(h.Server.BaseUri, served.PathAndQuery))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync(new Uri(h.Server.StorageUri, "api/v3/rate_limit"))).StatusCode);
    }

    [Fact]
    public async Task Conditional_get_answers_304_without_spending_rate_limit()
    {
        await using var h = await Harness.StartAsync();
        await h.Octokit().Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease("t1"));
        using var http = new HttpClient();
        var url = new Uri(h.Server.ApiUri, $"repos/{Harness.Owner}/{Harness.Repo}/releases/tags/t1");
        using var first = await http.GetAsync(url);
        var etag = first.Headers.ETag!;
        var remaining = first.Headers.GetValues("x-ratelimit-remaining").Single();

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        using var second = await http.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(remaining, second.Headers.GetValues("x-ratelimit-remaining").Single());
    }

    [Fact]
    public async Task Wrong_token_gets_401()
    {
        await using var h = await Harness.StartAsync();
        await Assert.ThrowsAsync<AuthorizationException>(() => h.Octokit(token: "wrong").Repository.Release.GetAll(Harness.Owner, Harness.Repo));
    }

    [Fact]
    public async Task Failed_upload_answers_502_and_leaves_a_short_starter_asset()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        var release = await github.Repository.Release.Create(Harness.Owner, Harness.Repo, new NewRelease("t1") { Draft = true });
        h.Server.Faults.FailUploads(1, keepFraction: 0.25);

        var error = await Assert.ThrowsAsync<ApiException>(() => github.Repository.Release.UploadAsset(release,
            new ReleaseAssetUpload("a.bin", "application/octet-stream", new MemoryStream(new byte[400]), null)));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        var asset = Assert.Single(await github.Repository.Release.GetAllAssets(Harness.Owner, Harness.Repo, release.Id));
        Assert.Equal("starter", asset.State);
        Assert.Equal(100, asset.Size);
    }

    [Fact]
    public async Task Rate_limit_faults_map_to_octokit_exceptions()
    {
        await using var h = await Harness.StartAsync();
        var github = h.Octokit();
        h.Server.Faults.SecondaryLimit(1, status: 403, retryAfterSeconds: 42);
        var secondary = await Assert.ThrowsAsync<SecondaryRateLimitExceededException>(() => github.Repository.Release.GetAll(Harness.Owner, Harness.Repo));
        Assert.Equal("42", secondary.HttpResponse.Headers.First(p => p.Key.Equals("retry-after", StringComparison.OrdinalIgnoreCase)).Value);

        h.Server.Faults.SecondaryLimit(1, status: 429, retryAfterSeconds: 5);
        var tooMany = await Assert.ThrowsAsync<ApiException>(() => github.Repository.Release.GetAll(Harness.Owner, Harness.Repo));
        Assert.Equal((HttpStatusCode)429, tooMany.StatusCode);

        h.Server.ExhaustRateLimit(TimeSpan.FromMinutes(10));
        var primary = await Assert.ThrowsAsync<RateLimitExceededException>(() => github.Repository.Release.GetAll(Harness.Owner, Harness.Repo));
        Assert.Equal(h.Time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds(), primary.Reset.ToUnixTimeSeconds());
        Assert.Equal(0, primary.Remaining);

        h.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await github.Repository.Release.GetAll(Harness.Owner, Harness.Repo));
    }
}
