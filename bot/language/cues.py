"""Vocabulary cues for Latin-script messages: common words and word endings of Azerbaijani,
Turkish, English, Russian typed in Latin letters, Uzbek and Turkmen (bot/language/detect.py adds
the model). Words are matched accent-folded, so "hansı" and "hansi" count alike; a word listed
for both az and tr says "Turkic" without saying which.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import FrozenSet, List

from bot.language.textfold import strip_accents

APOSTROPHES = re.compile(r"['’ʻ‘`]")


def word_set(text: str) -> FrozenSet[str]:
    """A word list written as one string (easier to read and edit than a list literal)."""
    return frozenset(text.split())


def fold(word: str) -> str:
    """Lower case, accents and apostrophes off: "Hansı" and "hansi" meet."""
    return APOSTROPHES.sub("", strip_accents(word).lower())


# Accent-folded (ə ı ş ğ ç ö ü as e i s g c o u). A word listed for both az and tr counts for
# both: it says "Turkic" without saying which.
AZ_WORDS = word_set(
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
    pulsuz odenisli emekdasliq muqavile tetil tetilde tetilinde sayt sayti saytiniz zeng
    seviyye seviyyem zeif hazirliq qardas qardasim baci dostum heyat hec hecne deyil indi
    sonra evvel gelen gedir gedirler ayliq illik olur helelik sagol beli xeyr oldu yaxsi dilde
    var varmi mi mu
    ne nedir bu bir cox sag olun tesekkur tesekkurler gunler ile de da ve
    """
)
TR_WORDS = word_set(
    """
    hangi hangisi hangileri hakkinda icin nasil kac tane bilgi bilgiler universite universitede
    universitenin universitelerle ogrenci ogrenciler ogrencilere ogrenim burs bursu burslar
    basvuru basvurular basvurmak basvururum kabul olur olurmu bilirim biliyor biliyorum
    biliyormusunuz istiyorum istiyoruz ediyorum ediyoruz ederim merhaba selam nerede nereye
    zaman kadar degisim degisime degisimle program programi dilde programlari programin proje
    projeler
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
    numara numarasi numaraniz yakin ortak ortaklar tip ucretsiz ucretli adres adresi sagol
    evet hayir tamam peki
    hoscakal gorusuruz
    """
)
EN_WORDS = word_set(
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
    now then take care leaving going bye goodbye see cheers mate thx tnx ty pls plz sorry yeah
    yep nope okay great nice cool wow really sure maybe let lets tell give show explain know
    think hear heard said say got make made look looking interested possible enough only
    still again anything something nothing everything someone anyone people person human bot
    robot are you ur u r aim aims goal purpose price prices info details detail thanx thnx
    global
    """
)
RU_WORDS = word_set(
    """
    v s k o ob ot do za pri bez ili etot eto eta eti etom etoy god godu goda tut tam uzhe
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
UZ_WORDS = word_set(
    """
    uchun bormi bor yoq qanday qancha qaysi haqida talaba talabalar talabalari oqish oqishga
    tilida tili kerak hujjat hujjatlar topshirish topshirsam boladi bolaman assalomu alaykum
    rahmat xorijiy narxi yonalish yonalishlar qilish mumkinmi ham men yoki iltimos kechirasiz
    hozir hozircha sizning mening javob yozing bering emas bilan lekin kerakmi qanaqa nima
    nechta talim oliy oquv yoq qilib olmayman bolsa
    """
)
TK_WORDS = word_set(
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
    ("az", re.compile(r"[aeiou]y(i|u)r(lar|ler|siniz|siz)?$"), 1.0),  # başlayır: tr başlar
    ("az", re.compile(r"m(i|u)r(lar|ler|siniz|siz)?$"), 1.0),  # işləmir: tr çalışmıyor
    ("az", re.compile(r"(acaq|eceq|maq|liq|luq)$"), 1.5),
    ("az", re.compile(r"(lar|ler)(i|in|a|e|da|de|dan|den)?(dir|dur)$"), 0.5),
    ("az", re.compile(r"(liy|luy)i"), 1.0),  # -liyi: Turkish has -liği (ligi)
    ("tr", re.compile(r"(lig|lug)i"), 1.0),
    ("az", re.compile(r"[^i]iya(da|dan|ya|nin|ni)?$"), 0.5),  # Almaniya, Ispaniya: tr Almanya
    ("uz", re.compile(r"(ning|ingiz|ingizda|dagi)$"), 1.0),  # az/tr: -nin, -iniz, -daki
    ("ru", re.compile(r"(tsya|tsa|shch|zh|kh|iy|yy|ogo|aya|oye|ykh|ikh|nie|tie|niya)$"), 1.0),
    ("ru", re.compile(r"(zh|shch|ch[aeiou]|ts[aeiou]|kh|yy|iy)"), 0.5),
]

# Letters: ə is Azerbaijani only; q and x are everyday Azerbaijani (and Uzbek) letters that
# Turkish doesn't use; ı ğ ş say Turkic; w and the digraph "th" are English-ish.
TURKIC_LETTERS = set("ıİğĞşŞ")
ENGLISH_QX = re.compile(r"ex|xp|xt|xc|qu")  # explain, next, quality: not Azerbaijani q/x


def latin_cues(words: List[str]) -> Counter:
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
    for folded in dict.fromkeys(fold(word) for word in words):  # each word counts once
        weight = 0.5 if len(folded) <= 2 else 1.0  # "u", "de", "ne": many languages have them
        for language, vocabulary in CUE_WORDS.items():
            if folded in vocabulary:
                scores[language] += weight
        for language, vocabulary in OTHER_CUE_WORDS.items():
            if folded in vocabulary:
                scores[language] += weight
        for language, pattern, ending_weight in ENDINGS:
            if len(folded) > 4 and pattern.search(folded):
                scores[language] += ending_weight
        qx = sum(folded.count(c) for c in "qx")
        if qx and len(folded) >= 4 and folded not in EN_WORDS and not ENGLISH_QX.search(folded):
            scores["az"] += min(qx, 2) * 0.75
            scores["uz"] += min(qx, 2) * 0.5
    return scores


# Languages written in Latin letters that the model knows: in Latin text the model's other
# guesses ("who coordinates" as Persian, p = 0.64) are noise.
LATIN_SCRIPT_LANGUAGES = word_set(
    """
    af als an ast az bar bcl br bs ca cbk ceb co cs cy da de diq dsb eml en eo es et eu fi fr
    frr fy ga gd gl gn gv hr hsb ht hu ia id ie ilo io is it jbo kw la lb li lmo lt lv mg min
    mt mwl nah nap nds nl nn no oc pam pfl pl pms pt qu rm ro sc scn sco sh sk sl so sq su sv
    sw tk tl tr uz vec vi vls vo wa war yo
    """
)
