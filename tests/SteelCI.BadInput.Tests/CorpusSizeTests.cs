using Xunit.Abstractions;

namespace SteelCI.BadInput.Tests;

/// <summary>The corpus holds at least 100 distinct cases; the counts per group and exit code are printed.</summary>
public sealed class CorpusSizeTests(ITestOutputHelper output)
{
    [Fact]
    public void At_least_100_distinct_cases()
    {
        var processCases = Corpus.ProcessCases;
        var data = DataCases.Cases.Count + 2; // + the two layouts that must work
        var store = StoreCases.Count;
        Assert.Equal(processCases.Count, processCases.Select(c => c.ToString()).Distinct().Count());
        foreach (var group in processCases.GroupBy(c => c.Group))
            output.WriteLine($"{group.Key}: {group.Count()} ({string.Join(", ", group.GroupBy(c => c.Exit).OrderBy(g => g.Key).Select(g => $"exit {g.Key}: {g.Count()}"))})");
        output.WriteLine($"data (trainer, in process): {data}; store (in process): {store}; real runs: 1 test, 3 runs");
        Assert.True(processCases.Count + data + store >= 100, $"{processCases.Count + data + store} cases");
    }
}
