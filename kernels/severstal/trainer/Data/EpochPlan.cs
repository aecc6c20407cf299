namespace Severstal.Data;

/// <summary>
/// The data order and augmentation of one epoch, a pure function of (seed, epoch, sample count, batch size): a
/// shuffle, then per batch a horizontal/vertical flip per image, all drawn from <c>new Random(seed * 1000 + epoch)</c>
/// in that order. A resumed run recomputes it and starts at its step, so no order has to be stored.
/// </summary>
public sealed class EpochPlan
{
    private EpochPlan(List<int[]> batches, List<List<(bool H, bool V)>> flips) => (Batches, Flips) = (batches, flips);

    public IReadOnlyList<int[]> Batches { get; }
    public IReadOnlyList<List<(bool H, bool V)>> Flips { get; }

    public static int Steps(int samples, int batchSize) => (samples + batchSize - 1) / batchSize;

    public static string Describe(int samples, int batchSize) => $"shuffle(seed*1000+epoch)+flips/n={samples}/batch={batchSize}";

    public static EpochPlan Create(int samples, int batchSize, int seed, int epoch, bool flip = true)
    {
        var random = new Random(seed * 1000 + epoch);
        var order = Enumerable.Range(0, samples).OrderBy(_ => random.Next()).ToArray();
        var batches = new List<int[]>();
        var flips = new List<List<(bool, bool)>>();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var chunk = order[start..Math.Min(order.Length, start + batchSize)];
            batches.Add(chunk);
            flips.Add(flip ? Data.Batches.RandomFlips(random, chunk.Length) : chunk.Select(_ => (false, false)).ToList());
        }
        return new EpochPlan(batches, flips);
    }
}
