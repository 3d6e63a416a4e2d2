"""Names for the demo people and group of data/roster/demo_contacts.yaml, so tests read like stories."""
SOCIAL_WORKER = "U2964d69355860ac62b63f9479af206e5"   # 中壢家庭服務中心
POLICE = "Uf2f27e0a11f11865a3528627c69d1f46"          # 中壢分局
HEALTH = "U51ea4a13fec08c324f9f7250d951b60d"          # 衛生局
FIRE = "Ud82d2cf08b2c4829cbb5c7dedc179407"            # 中壢分隊
SCHOOL = "U321685e7e242d59164ad9047f609c80a"          # 學諮中心
EMPLOYMENT = "Ud8cbcc99eeb9dced07f2a5dee645b72f"      # 就服處
SECRETARIAT = "U0cb5cf784910256ad3c8fc8b4cb4d3df"     # 中壢區公所社會課
DV_CENTRE = "U6d2f43ded9daed63bcf87557c3b1443f"       # 家防中心
ADMIN = "U6100e02541a82621832ba309237d7e4e"           # 社會局, admin
GROUP = "C56e2bb208e0605f45a3436b65ffcf805"           # 中壢區社安網聯繫群組
NEWCOMER = "U0000000000000000000000000000abcd"        # not in the roster
