using SteelCI.Cli;

namespace SteelCI.Cli.Tests;

/// <summary>The run summary's outputs column: a release's web address whole (it once lost a slash), a folder relative.</summary>
public sealed class SummaryTableTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8653/team/checkpoints/releases/tag/severstal-binary-aaaaaaaaaaaa")]
    [InlineData("https://github.com/team/checkpoints/releases/tag/severstal-binary-aaaaaaaaaaaa")]
    public void A_release_address_is_printed_as_it_is(string url) => Assert.Equal(url, SummaryTable.Where(url));

    [Fact]
    public void A_folder_is_printed_relative_to_the_current_one()
    {
        var folder = Path.Combine(Environment.CurrentDirectory, "ws", "releases", "severstal-binary-aaaaaaaaaaaa");
        Assert.Equal(Path.Combine("ws", "releases", "severstal-binary-aaaaaaaaaaaa"), SummaryTable.Where(folder));
    }
}
