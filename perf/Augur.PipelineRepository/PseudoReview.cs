using System.Text;

namespace Augur.PipelineRepository;

/// <summary>
/// Deterministic pseudo-reviews of 30 to 80 words: sentences built from a fixed vocabulary of restaurant and product
/// review words, capitalised, with commas and full stops left attached to their words as in real text.
/// </summary>
internal static class PseudoReview
{
    private static readonly string[] Openers = ["we", "i", "my wife and i", "our family", "the kids", "a friend and i", "my team"];
    private static readonly string[] Verbs = ["ordered", "tried", "loved", "hated", "bought", "returned", "enjoyed", "waited for", "shared", "recommend"];
    private static readonly string[] Things =
    [
        "the pasta", "the burger", "a pizza", "the soup", "the coffee", "the dessert", "the salad", "the steak", "the fries",
        "the phone", "the charger", "this laptop", "the headphones", "the battery", "the screen", "the delivery", "the room",
        "the service", "the staff", "the price", "the menu", "the table", "the wine", "the app",
    ];

    private static readonly string[] Adjectives =
    [
        "good", "great", "excellent", "amazing", "wonderful", "fresh", "friendly", "fast", "perfect", "nice", "delicious", "cheap",
        "bad", "terrible", "awful", "slow", "cold", "rude", "dirty", "broken", "boring", "late", "poor", "expensive", "noisy",
    ];

    private static readonly string[] Adverbs = ["very", "really", "quite", "not", "too", "so", "a bit", "never", "always", "pretty"];
    private static readonly string[] Endings =
    [
        "would come back again", "never again", "no complaints at all", "not worth the money", "highly recommend it",
        "five stars", "two stars at best", "will order again next week", "the best in town", "the worst we have had",
    ];

    public static string Write(Random random)
    {
        var target = random.Next(30, 81);
        var text = new StringBuilder();
        var words = 0;
        while (words < target)
        {
            var sentence = random.Next(4) switch
            {
                0 => $"{Pick(random, Openers)} {Pick(random, Verbs)} {Pick(random, Things)} and it was {Pick(random, Adverbs)} {Pick(random, Adjectives)}.",
                1 => $"{Pick(random, Things)} was {Pick(random, Adjectives)}, {Pick(random, Things)} {Pick(random, Adverbs)} {Pick(random, Adjectives)}.",
                2 => $"{Pick(random, Adverbs)} {Pick(random, Adjectives)} {Noun(random)} and {Pick(random, Adjectives)} {Noun(random)}.",
                _ => $"{Pick(random, Endings)}.",
            };
            var sentenceWords = sentence.Split(' ');
            var take = Math.Min(sentenceWords.Length, target - words);
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            var kept = string.Join(' ', sentenceWords.Take(take));
            text.Append(char.ToUpperInvariant(kept[0])).Append(kept, 1, kept.Length - 1);
            words += take;
        }

        return text.ToString();
    }

    private static string Pick(Random random, string[] words) => words[random.Next(words.Length)];

    /// <summary>A thing without its article: "the pasta" → "pasta".</summary>
    private static string Noun(Random random) => Pick(random, Things).Split(' ', 2)[1];
}
