using System.Globalization;

namespace SteelCI.Kaggle.Api;

/// <summary>Retry-After as seconds or an HTTP date; garbage and dates in the past give null, huge values are capped.</summary>
public static class RetryAfter
{
    public static TimeSpan? Parse(string? value, DateTimeOffset now, TimeSpan cap)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        value = value.Trim();
        TimeSpan delay;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (double.IsNaN(seconds) || seconds < 0)
                return null;
            delay = seconds > cap.TotalSeconds ? cap : TimeSpan.FromSeconds(seconds);
        }
        else if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            delay = date - now;
            if (delay <= TimeSpan.Zero)
                return null;
        }
        else
            return null;
        return delay > cap ? cap : delay;
    }
}
