using SteelCI.Testing;

namespace SteelCI.Tests.Testing;

/// <summary>The test kit's snapshot check: a mismatch names the file, shows the changed lines and says how to accept.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public void A_mismatch_shows_the_changed_lines_with_context_and_the_way_to_accept()
    {
        var error = Assert.Throws<SnapshotMismatchException>(() =>
            Snapshot.Verify("tests/SteelCI.Tests/Kernels/Snapshots/kernel-metadata-cpu.json", "{\n  \"id\": \"someone/else\"\n}", accept: false));

        Assert.Contains("tests/SteelCI.Tests/Kernels/Snapshots/kernel-metadata-cpu.json differs", error.Message, StringComparison.Ordinal);
        Assert.Contains("+    2:   \"id\": \"someone/else\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("-    2:   \"id\": \"alice/severstal-seg3-55555555-a1-abcde\",", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"rerun with {Snapshot.AcceptVariable}=1 (not in CI) and commit tests/SteelCI.Tests/Kernels/Snapshots/kernel-metadata-cpu.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_diff_marks_removed_and_added_lines_and_elides_far_unchanged_ones()
    {
        var expected = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}"));
        var actual = expected.Replace("line 3\n", "line three\n", StringComparison.Ordinal).Replace("line 18\n", "", StringComparison.Ordinal);

        var diff = Snapshot.Diff(expected, actual);

        string[] lines =
        [
            "     1: line 1",
            "     2: line 2",
            "-    3: line 3",
            "+    3: line three",
            "     4: line 4",
            "     5: line 5",
            "  ...",
            "    16: line 16",
            "    17: line 17",
            "-   18: line 18",
            "    19: line 19",
            "    20: line 20",
        ];
        Assert.Equal(string.Join(Environment.NewLine, lines), diff);
    }
}
