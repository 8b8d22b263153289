using Augur.Models;

namespace Augur.Sequences;

/// <summary>Computes the engine-fed inputs drawn from a sequence's past readings: windows and windowed aggregates.</summary>
internal static class SequenceFeatures
{
    /// <summary>
    /// Writes the last <c>length</c> readings (the current one last, older ones before it, zeros where there are fewer)
    /// into <paramref name="destination"/> of <c>length × elements</c> values.
    /// </summary>
    public static void Window(ReadingHistory history, ReadOnlySpan<float> current, int length, Span<float> destination)
    {
        var elements = current.Length;
        destination.Clear();
        current.CopyTo(destination[((length - 1) * elements)..]);
        var older = Math.Min(length - 1, history.Count);
        for (var age = 0; age < older; age++)
        {
            history.Back(age).CopyTo(destination.Slice((length - 2 - age) * elements, elements));
        }
    }

    /// <summary>
    /// Writes the aggregates of <paramref name="feature"/> over the readings in its window (the current one included,
    /// arriving at <paramref name="now"/>): for each aggregate in order, one value per element.
    /// </summary>
    public static void Aggregate(SequenceFeatureConfig feature, ReadingHistory history, ReadOnlySpan<float> current, long now, TimeProvider time, Span<float> destination)
    {
        var elements = current.Length;
        var readings = InWindow(feature, history, now, time) + 1;
        for (var e = 0; e < elements; e++)
        {
            double sum = current[e];
            var min = current[e];
            var max = current[e];
            for (var age = 0; age < readings - 1; age++)
            {
                var value = history.Back(age)[e];
                sum += value;
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }

            for (var a = 0; a < feature.Aggregates.Count; a++)
            {
                destination[(a * elements) + e] = feature.Aggregates[a] switch
                {
                    SequenceAggregate.Count => readings,
                    SequenceAggregate.Mean => (float)(sum / readings),
                    SequenceAggregate.Min => min,
                    _ => max,
                };
            }
        }
    }

    /// <summary>How many past readings (the current one not counted) fall in the feature's window.</summary>
    private static int InWindow(SequenceFeatureConfig feature, ReadingHistory history, long now, TimeProvider time)
    {
        var limit = Math.Min(history.Count, (feature.LastReadings ?? int.MaxValue) - 1);
        if (feature.LastSeconds is not { } span)
        {
            return limit;
        }

        var count = 0;
        while (count < limit && time.GetElapsedTime(history.TimeBack(count), now) <= span)
        {
            count++;
        }

        return count;
    }
}
