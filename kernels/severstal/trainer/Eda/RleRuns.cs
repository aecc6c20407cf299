using System.Globalization;
using Severstal.Data;

namespace Severstal.Eda;

/// <summary>What is wrong with one RLE, if anything (the first problem found).</summary>
public enum RleProblem { None, NotNumbers, OutOfBounds, Unsorted, Overlapping }

/// <summary>
/// One train.csv RLE read as runs without decoding the mask: its area, its sanity (runs in bounds, sorted, disjoint)
/// and its connected regions. Positions are 0-based in the competition's column-major order (top to bottom, then
/// left to right) of a 256x1600 image.
/// </summary>
public sealed class RleRuns
{
    private const long Pixels = (long)Rle.Height * Rle.Width;

    private RleRuns(IReadOnlyList<(long Start, long Length)> runs, RleProblem problem)
    {
        Runs = runs;
        Problem = problem;
    }

    /// <summary>The runs as written, sorted when <see cref="Problem"/> is None.</summary>
    public IReadOnlyList<(long Start, long Length)> Runs { get; }

    public RleProblem Problem { get; }

    /// <summary>Mask pixels: the sum of run lengths (only meaningful when <see cref="Problem"/> is None).</summary>
    public long Area => Runs.Sum(r => r.Length);

    public static RleRuns Parse(string rle)
    {
        var parts = rle.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var runs = new List<(long, long)>(parts.Length / 2);
        if (parts.Length % 2 != 0)
            return new RleRuns(runs, RleProblem.NotNumbers);
        var problem = RleProblem.None;
        long previousStart = 0, previousEnd = 0; // 1-based, of the previous run
        for (var i = 0; i < parts.Length; i += 2)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ||
                !long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                start < 1 || length < 1)
                return new RleRuns([], RleProblem.NotNumbers);
            var end = start - 1 + length;
            var found = end > Pixels ? RleProblem.OutOfBounds
                : start < previousStart ? RleProblem.Unsorted
                : start <= previousEnd ? RleProblem.Overlapping
                : RleProblem.None;
            if (problem == RleProblem.None)
                problem = found;
            runs.Add((start - 1, length));
            (previousStart, previousEnd) = (start, end);
        }
        return new RleRuns(runs, problem);
    }

    /// <summary>Pixels set in both of two valid (sorted, disjoint) run lists.</summary>
    public static long Shared(RleRuns a, RleRuns b)
    {
        long shared = 0;
        int i = 0, j = 0;
        while (i < a.Runs.Count && j < b.Runs.Count)
        {
            var (sa, la) = a.Runs[i];
            var (sb, lb) = b.Runs[j];
            shared += Math.Max(0, Math.Min(sa + la, sb + lb) - Math.Max(sa, sb));
            if (sa + la <= sb + lb) i++;
            else j++;
        }
        return shared;
    }

    /// <summary>
    /// Connected regions (4-neighbour) of a valid mask, from its runs: each run is cut into column segments, and
    /// segments in neighbouring columns that share a row are joined.
    /// </summary>
    public int Regions()
    {
        var segments = new List<(int Column, int Top, int Bottom)>(); // rows Top..Bottom inclusive, in column-major order
        foreach (var (start, length) in Runs)
        {
            var position = start;
            var end = start + length;
            while (position < end)
            {
                var column = (int)(position / Rle.Height);
                var top = (int)(position % Rle.Height);
                var bottom = (int)Math.Min(Rle.Height - 1, top + (end - position) - 1);
                if (segments.Count > 0 && segments[^1].Column == column && segments[^1].Bottom == top - 1)
                    segments[^1] = (column, segments[^1].Top, bottom); // a run that continues the previous one
                else
                    segments.Add((column, top, bottom));
                position += bottom - top + 1;
            }
        }
        var parent = Enumerable.Range(0, segments.Count).ToArray();
        int Find(int s)
        {
            while (parent[s] != s)
                s = parent[s] = parent[parent[s]];
            return s;
        }
        var regions = segments.Count;
        // Segments are in column order; walk the previous column's segments alongside the current column's.
        var previousFrom = 0;
        var currentFrom = 0;
        for (var s = 0; s <= segments.Count; s++)
        {
            if (s < segments.Count && segments[s].Column == segments[currentFrom].Column)
                continue;
            // segments[currentFrom..s) form one column; join them with the column before when it is adjacent
            if (currentFrom > 0 && segments[previousFrom].Column == segments[currentFrom].Column - 1)
            {
                int p = previousFrom, c = currentFrom;
                while (p < currentFrom && c < s)
                {
                    var (_, pt, pb) = segments[p];
                    var (_, ct, cb) = segments[c];
                    if (pt <= cb && ct <= pb)
                    {
                        int rp = Find(p), rc = Find(c);
                        if (rp != rc)
                        {
                            parent[rp] = rc;
                            regions--;
                        }
                    }
                    if (pb <= cb) p++;
                    else c++;
                }
            }
            previousFrom = currentFrom;
            currentFrom = s;
        }
        return regions;
    }
}
