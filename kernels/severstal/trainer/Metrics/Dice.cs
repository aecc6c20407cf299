namespace Severstal.Metrics;

/// <summary>
/// The competition's metric: Dice per (image, class) pair, 1 when truth and prediction are both empty, averaged over
/// all pairs. One false-positive pixel on an empty pair scores 0, hence thresholds and minimum areas.
/// </summary>
public static class Dice
{
    public static double Pair(byte[]? truth, byte[]? predicted)
    {
        long a = Count(truth), b = Count(predicted);
        if (a == 0 && b == 0)
            return 1;
        if (a == 0 || b == 0)
            return 0;
        long both = 0;
        for (var i = 0; i < truth!.Length; i++)
            both += truth[i] & predicted![i];
        return 2.0 * both / (a + b);
    }

    /// <summary>Pixels at or above the threshold, or nothing when fewer than <paramref name="minArea"/> pixels pass.</summary>
    public static byte[]? Mask(float[] probabilities, double threshold, int minArea)
    {
        var mask = new byte[probabilities.Length];
        var area = 0;
        for (var i = 0; i < mask.Length; i++)
            if (probabilities[i] >= threshold)
            {
                mask[i] = 1;
                area++;
            }
        return area == 0 || area < minArea ? null : mask;
    }

    private static long Count(byte[]? mask)
    {
        if (mask is null)
            return 0;
        long count = 0;
        foreach (var v in mask)
            count += v;
        return count;
    }
}
