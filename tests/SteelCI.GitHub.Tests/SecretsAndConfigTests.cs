using SteelCI.Ports;

namespace SteelCI.GitHub.Tests;

public sealed class SecretsAndConfigTests
{
    [Fact]
    public void Options_come_from_the_environment_and_never_print_the_token()
    {
        var env = new Dictionary<string, string?>
        {
            ["GITHUB_REPOSITORY"] = "acme/checkpoints",
            ["GITHUB_TOKEN"] = "ghs_actions",
            ["STEELCI_GITHUB_TOKEN"] = "ghp_personal",
            ["GITHUB_API_URL"] = "https://ghe.example.com/api/v3",
        };

        var options = GitHubStoreOptions.FromEnvironment("/tmp/cache", name => env.GetValueOrDefault(name));

        Assert.Equal(("acme", "checkpoints", "ghp_personal"), (options.Owner, options.Repository, options.Token));
        Assert.Equal("https://ghe.example.com/api/v3/", options.ApiUrl.AbsoluteUri);
        Assert.DoesNotContain("ghp_personal", options.ToString());
    }

    [Fact]
    public void Missing_settings_name_the_variable_to_set()
    {
        var noRepo = Assert.Throws<GitHubStoreException>(() => GitHubStoreOptions.FromEnvironment("/c", _ => null));
        Assert.Contains("GITHUB_REPOSITORY", noRepo.Message);
        var noToken = Assert.Throws<GitHubStoreException>(() => GitHubStoreOptions.FromEnvironment("/c", n => n == "GITHUB_REPOSITORY" ? "a/b" : null));
        Assert.Contains("GITHUB_TOKEN", noToken.Message);
    }

    [Fact]
    public async Task The_token_appears_in_no_log_line_and_no_exception()
    {
        await using var h = await Harness.StartAsync();
        var output = h.Output("a");
        var release = await h.Store().PublishAsync(Harness.TagOf(output), output, false, CancellationToken.None);
        await h.Store().FetchAsync(release, CancellationToken.None);
        h.Server.State.CorruptAsset(h.Releases().Single().Assets.First().Id, 0);
        var corrupt = await Record.ExceptionAsync(() => h.Store().FetchIntoAsync(release, Path.Combine(h.Root, "again"), CancellationToken.None));
        var wrong = await Record.ExceptionAsync(() => h.Store(token: Harness.Token + "x").FindAsync(release.Tag, CancellationToken.None));

        Assert.NotNull(corrupt);
        Assert.NotNull(wrong);
        Assert.NotEmpty(h.Log);
        Assert.DoesNotContain(h.Log, l => l.Contains(Harness.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(Harness.Token, corrupt.ToString());
        Assert.DoesNotContain(Harness.Token, wrong.ToString());
    }

    [Theory]
    [InlineData("model.safetensors", "model.safetensors")]
    [InlineData("ckpt/epoch 3 (best).pt", "ckpt__epoch_3__best_.pt")]
    [InlineData(".hidden", "_hidden")]
    public void Asset_names_keep_to_what_github_accepts(string path, string expected) =>
        Assert.Equal(expected, AssetIndex.SafeName(path));
}
