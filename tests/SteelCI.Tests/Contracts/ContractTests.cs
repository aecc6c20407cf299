using SteelCI.Contracts;

namespace SteelCI.Tests.Contracts;

public sealed class ContractTests
{
    private static readonly Dictionary<string, string> Params = new() { ["lr"] = "0.1", ["batch"] = "8" };
    private static readonly Dictionary<string, string> Inputs = new() { ["data"] = "k1" };

    private static string Key(IReadOnlyDictionary<string, string>? parameters = null, string trainer = "t",
        IReadOnlyDictionary<string, string>? inputs = null, int epochs = 3) =>
        ContentKey.Compute("p", "stage", "fit", epochs, parameters ?? Params, trainer, inputs ?? Inputs);

    [Fact]
    public void The_content_key_ignores_the_order_of_params_and_follows_every_ingredient()
    {
        var reordered = new Dictionary<string, string> { ["batch"] = "8", ["lr"] = "0.1" };
        Assert.Equal(Key(), Key(reordered));
        Assert.Matches("^[0-9a-f]{64}$", Key());
        Assert.NotEqual(Key(), Key(new Dictionary<string, string> { ["lr"] = "0.2", ["batch"] = "8" }));
        Assert.NotEqual(Key(), Key(trainer: "t2"));
        Assert.NotEqual(Key(), Key(inputs: new Dictionary<string, string> { ["data"] = "k2" }));
        Assert.NotEqual(Key(), Key(epochs: 4));
    }

    [Fact]
    public void Release_tags_name_complete_and_partial_outputs_and_parse_back()
    {
        var key = new string('a', 64);
        var complete = ReleaseTag.Complete("severstal", "seg-3", key);
        var partial = ReleaseTag.Partial("severstal", "seg-3", key, 7);

        Assert.Equal("severstal-seg-3-aaaaaaaaaaaa", complete.ToString());
        Assert.Equal("severstal-seg-3-aaaaaaaaaaaa-partial-e007", partial.ToString());
        Assert.Equal(complete, ReleaseTag.TryParse("severstal", complete.ToString()));
        Assert.Equal(partial, ReleaseTag.TryParse("severstal", partial.ToString()));
        Assert.Null(ReleaseTag.TryParse("other", complete.ToString()));
        Assert.Null(ReleaseTag.TryParse("severstal", "severstal-seg-3-xyz"));
    }

    [Fact]
    public void Kernel_slugs_are_unique_per_attempt_and_fit_kaggle()
    {
        var key = new string('b', 64);
        var slug = KernelSlug.Create("severstal", "submission", key, 2, "f00d1");
        Assert.Equal("severstal-submission-bbbbbbbb-a2-f00d1", slug);

        var longSlug = KernelSlug.Create(new string('x', 30), new string('y', 30), key, 12, "abcde");
        Assert.True(longSlug.Length <= KernelSlug.MaxLength);
        Assert.EndsWith("-bbbbbbbb-a12-abcde", longSlug);
    }

    [Fact]
    public void The_end_marker_is_found_last_in_a_log()
    {
        var hash = new string('c', 64);
        var log = $"training...\n{TrainerContract.EndMarker("partial", null)}\nmore\n{TrainerContract.EndMarker("complete", hash)}\n";

        Assert.Equal(("complete", hash), TrainerContract.FindEndMarker(log));
        Assert.Equal(("failed", (string?)null), TrainerContract.FindEndMarker(TrainerContract.EndMarker("failed", null)));
        Assert.Null(TrainerContract.FindEndMarker("killed halfway"));
    }
}
