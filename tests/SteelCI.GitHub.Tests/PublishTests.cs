using SteelCI.Ports;
using SteelCI.Contracts;
using SteelCI.GitHub.Fake;

namespace SteelCI.GitHub.Tests;

public sealed class PublishTests
{
    [Fact]
    public async Task Publishes_a_prerelease_that_is_found_by_tag_and_listed()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        var store = h.Store();

        var stored = await store.PublishAsync(tag, output, replace: false, CancellationToken.None);

        Assert.Equal(tag, stored.Tag);
        Assert.Equal("0123456789abcdef0123456789abcdef", stored.Manifest.ContentKey);
        var release = Assert.Single(h.Releases());
        Assert.False(release.Draft);
        Assert.True(release.Prerelease);
        Assert.Equal("false", release.MakeLatest);
        Assert.Equal(["model.safetensors", "metrics.json", AssetIndex.FileName, Manifest.FileName], release.Assets.Select(a => a.Name));
        Assert.All(release.Assets, a => Assert.Equal("uploaded", a.State));
        Assert.Contains("severstal-eda-aaaaaaaaaaaa", release.Body);
        Assert.Contains("abc123", release.Body);
        Assert.Equal(tag, (await store.FindAsync(tag, CancellationToken.None))!.Tag);
        Assert.Equal([tag], (await store.ListAsync("severstal-seg-class1-", CancellationToken.None)).Select(r => r.Tag));
        Assert.Empty(await store.ListAsync("severstal-other-", CancellationToken.None));
        Assert.Null(await store.FindAsync("severstal-seg-class1-ffffffffffff", CancellationToken.None));
    }

    [Fact]
    public async Task Publishing_the_same_output_twice_yields_one_release_and_uploads_nothing_more()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);
        var uploads = h.Requests("POST", "/api/uploads/");

        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);

        Assert.Single(h.Releases());
        Assert.Equal(uploads, h.Requests("POST", "/api/uploads/"));
    }

    [Theory]
    [InlineData(1)] // killed while uploading the first asset
    [InlineData(2)] // after the first asset, during the second
    [InlineData(4)] // the data is up, killed while uploading the manifest (last)
    public async Task A_publish_killed_mid_upload_leaves_a_hidden_draft_that_the_next_attempt_completes(int killAtUpload)
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        var uploads = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.State.UploadStarted += _ => { if (uploads == killAtUpload) started.TrySetResult(); };
        var kill = new KillSwitch((request, _) => request.Method == HttpMethod.Post && ++uploads == killAtUpload, () => started.Task);

        await Assert.ThrowsAsync<ProcessKilled>(() => h.Store(transfers: new HttpClient(kill)).PublishAsync(tag, output, false, CancellationToken.None));
        await h.Server.WhenIdle();
        var draft = Assert.Single(h.Releases());
        Assert.True(draft.Draft);
        Assert.Equal("starter", draft.Assets.Last().State);
        Assert.Null(await h.Store().FindAsync(tag, CancellationToken.None));

        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);

        var release = Assert.Single(h.Releases());
        Assert.False(release.Draft);
        Assert.Equal(4, release.Assets.Count);
        Assert.Equal(5, h.Requests("POST", "/api/uploads/")); // finished assets were kept, the cut one was replaced
        Assert.Contains(h.Log, l => l.StartsWith("replacing asset ", StringComparison.Ordinal) && l.Contains("state starter"));
    }

    [Fact]
    public async Task A_publish_killed_before_publishing_is_completed_without_uploading_again()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        var kill = new KillSwitch((request, _) => request.Method == HttpMethod.Patch);

        await Assert.ThrowsAsync<ProcessKilled>(() => h.Store(client: h.Octokit(kill)).PublishAsync(tag, output, false, CancellationToken.None));
        Assert.True(Assert.Single(h.Releases()).Draft);

        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);

        Assert.False(Assert.Single(h.Releases()).Draft);
        Assert.Equal(4, h.Requests("POST", "/api/uploads/"));
    }

    [Fact]
    public async Task A_502_upload_leaves_a_short_asset_that_is_deleted_and_replaced()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        h.Server.Faults.FailUploads(1, keepFraction: 0.5);

        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);

        var release = Assert.Single(h.Releases());
        var model = Assert.Single(release.Assets, a => a.Name == "model.safetensors");
        Assert.Equal(("uploaded", 3000L), (model.State, model.Size));
        Assert.Contains(h.Log, l => l.Contains("replacing asset model.safetensors: state starter, 1500 of 3000 bytes"));
        Assert.Equal(1, h.Requests("DELETE", "/releases/assets/"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "model.safetensors")), h.Server.State.AssetBytes(model.Id));
    }

    [Fact]
    public async Task A_draft_for_other_content_under_the_same_tag_is_replaced()
    {
        await using var h = await Harness.StartAsync();
        var first = h.Output("a", seed: 1);
        var tag = Harness.TagOf(first);
        var kill = new KillSwitch((request, _) => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.Contains("/api/uploads/"));
        await Assert.ThrowsAsync<ProcessKilled>(() => h.Store(transfers: new HttpClient(kill)).PublishAsync(tag, first, false, CancellationToken.None));
        var stale = Assert.Single(h.Releases()).Id;

        var second = h.Output("b", seed: 2); // same content key, different bytes (a nondeterministic retrain)
        await h.Store().PublishAsync(tag, second, false, CancellationToken.None);

        var release = Assert.Single(h.Releases());
        Assert.NotEqual(stale, release.Id);
        Assert.False(release.Draft);
        var model = release.Assets.Single(a => a.Name == "model.safetensors");
        Assert.Equal(File.ReadAllBytes(Path.Combine(second, "model.safetensors")), h.Server.State.AssetBytes(model.Id));
    }

    [Fact]
    public async Task Replace_swaps_a_published_release_for_the_new_content()
    {
        await using var h = await Harness.StartAsync();
        var first = h.Output("a", seed: 1);
        var tag = Harness.TagOf(first);
        await h.Store().PublishAsync(tag, first, false, CancellationToken.None);
        var second = h.Output("b", seed: 2);

        var kept = await h.Store().PublishAsync(tag, second, replace: false, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 1, 0, TimeSpan.Zero), kept.Manifest.CreatedUtc);

        var replaced = await h.Store().PublishAsync(tag, second, replace: true, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 2, 0, TimeSpan.Zero), replaced.Manifest.CreatedUtc);
        Assert.False(Assert.Single(h.Releases()).Draft);
    }

    [Fact]
    public async Task Large_files_go_up_in_parts_with_hashes()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a", files: [("weights/model.safetensors", 3500), ("small.json", 10)]);
        var tag = Harness.TagOf(output);

        await h.Store(partSize: 1000).PublishAsync(tag, output, false, CancellationToken.None);

        var names = Assert.Single(h.Releases()).Assets.Select(a => (a.Name, a.Size)).ToList();
        Assert.Equal([("weights__model.safetensors.part001", 1000L), ("weights__model.safetensors.part002", 1000L),
            ("weights__model.safetensors.part003", 1000L), ("weights__model.safetensors.part004", 500L), ("small.json", 10L)], names.Take(5));
    }

    [Fact]
    public async Task Immutable_releases_work_because_assets_go_to_the_draft()
    {
        await using var h = await Harness.StartAsync(immutable: true);
        var output = h.Output("a");
        var tag = Harness.TagOf(output);

        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);

        var release = Assert.Single(h.Releases());
        Assert.True(release.Immutable);
        Assert.Equal(4, release.Assets.Count);
    }

    [Fact]
    public async Task Recover_deletes_only_stale_steelci_drafts()
    {
        await using var h = await Harness.StartAsync();
        var done = h.Output("a", contentKey: "1111111111111111");
        await h.Store().PublishAsync(Harness.TagOf(done), done, false, CancellationToken.None);
        var left = h.Output("b", contentKey: "2222222222222222");
        var kill = new KillSwitch((request, _) => request.Method == HttpMethod.Post);
        await Assert.ThrowsAsync<ProcessKilled>(() => h.Store(transfers: new HttpClient(kill)).PublishAsync(Harness.TagOf(left), left, false, CancellationToken.None));

        await h.Store().RecoverAsync(CancellationToken.None);
        Assert.Equal(2, h.Releases().Count); // a young draft stays: the next publish completes it

        h.Time.Advance(TimeSpan.FromHours(25));
        await h.Store().RecoverAsync(CancellationToken.None);
        Assert.Equal(Harness.TagOf(done), Assert.Single(h.Releases()).Tag);
    }

    [Fact]
    public async Task Concurrent_publishers_of_the_same_output_converge_on_one_release()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a", files: [("m.bin", 200_000), ("n.bin", 100)]);
        var tag = Harness.TagOf(output);

        await Task.WhenAll(
            Task.Run(() => h.Store().PublishAsync(tag, output, false, CancellationToken.None)),
            Task.Run(() => h.Store().PublishAsync(tag, output, false, CancellationToken.None)));

        var release = Assert.Single(h.Releases());
        Assert.False(release.Draft);
        Assert.All(release.Assets, a => Assert.Equal("uploaded", a.State));
        Assert.Equal(4, release.Assets.Count);
    }

    [Fact]
    public async Task Too_many_assets_are_refused_before_anything_is_created()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a", files: [("big.bin", 1000)]);

        var error = await Assert.ThrowsAsync<GitHubStoreException>(() => h.Store(partSize: 1).PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None));

        Assert.Contains("1002 release assets", error.Message);
        Assert.Empty(h.Releases());
    }

    [Fact]
    public async Task A_file_changed_between_verification_and_upload_is_refused_and_no_release_is_published()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        var verified = ManifestVerifier.VerifyOutput(output);
        var model = Path.Combine(output, "model.safetensors");
        var bytes = File.ReadAllBytes(model);
        bytes[^1] ^= 0xff; // same size, last byte changed
        File.WriteAllBytes(model, bytes);

        var error = await Assert.ThrowsAsync<Hashing.ChangedBytesException>(() => h.Store().PublishAsync(tag, verified, false, CancellationToken.None));

        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("changed after verification", error.Message);
        Assert.DoesNotContain(h.Releases(), r => !r.Draft);
        Assert.DoesNotContain(h.Releases().SelectMany(r => r.Assets), a => a.Name == "model.safetensors" && a.State == "uploaded");
        Assert.Null(await h.Store().FindAsync(tag, CancellationToken.None));
    }

    [Fact]
    public async Task A_split_file_changed_after_verification_is_refused_while_its_parts_are_planned()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a", files: [("model.safetensors", 3000)]);
        var verified = ManifestVerifier.VerifyOutput(output);
        var model = Path.Combine(output, "model.safetensors");
        var bytes = File.ReadAllBytes(model);
        bytes[0] ^= 0xff;
        File.WriteAllBytes(model, bytes);

        var error = await Assert.ThrowsAsync<Hashing.ChangedBytesException>(() =>
            h.Store(partSize: 1000).PublishAsync(Harness.TagOf(output), verified, false, CancellationToken.None));

        Assert.Contains("changed after verification", error.Message);
        Assert.DoesNotContain(h.Releases(), r => !r.Draft);
    }
}
