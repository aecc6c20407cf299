using SteelCI.Ports;

namespace SteelCI.GitHub.Tests;

/// <summary>
/// A GitHub release is reused only while its assets match its asset index (every part there, uploaded, of its size);
/// one that does not is set aside by renaming its tag (kept on GitHub) and the tag can be published anew.
/// </summary>
public sealed class VerifyTests
{
    [Fact]
    public async Task A_release_with_a_missing_asset_is_set_aside_under_another_tag_and_published_again()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var tag = Harness.TagOf(output);
        await h.Store().PublishAsync(tag, output, false, CancellationToken.None);
        Assert.NotNull(await h.Store().FindVerifiedAsync(tag, line => Assert.Fail(line), CancellationToken.None));

        var github = h.Octokit();
        var release = await github.Repository.Release.Get(Harness.Owner, Harness.Repo, tag);
        var data = (await github.Repository.Release.GetAllAssets(Harness.Owner, Harness.Repo, release.Id))
            .First(a => a.Name is not ("manifest.json" or AssetIndex.FileName));
        await github.Repository.Release.DeleteAsset(Harness.Owner, Harness.Repo, data.Id);
        var heard = new List<string>();

        Assert.Null(await h.Store().FindVerifiedAsync(tag, heard.Add, CancellationToken.None));

        Assert.Contains($"asset {data.Name} is missing", Assert.Single(heard));
        Assert.Null(await h.Store().FindAsync(tag, CancellationToken.None));
        var all = await github.Repository.Release.GetAll(Harness.Owner, Harness.Repo);
        Assert.Single(all, r => r.TagName.StartsWith($"aside-{tag}-", StringComparison.Ordinal) && r.Id == release.Id); // kept
        var again = await h.Store().PublishAsync(tag, output, false, CancellationToken.None);
        Assert.Equal(tag, again.Tag);
        Assert.NotNull(await h.Store().FindVerifiedAsync(tag, line => Assert.Fail(line), CancellationToken.None));
    }
}
